package backend

import (
	"context"
	"syscall"
	"time"
)

// DefaultCloseTimeout bounds Sandboxes.Close for each sandbox: one stuck
// container must not hang a run.
const DefaultCloseTimeout = time.Minute

// lateGrace is how long a container still gets once the close's deadline
// has passed when the close starts on it: a case that timed out still
// removes what it made, unless that is stuck.
const lateGrace = 5 * time.Second

// removeWithin force-removes c, waiting until ctx ends (or lateGrace, if
// it has ended already). A container still not removed then is sent
// SIGKILL and left to berth gc: a backend's Remove may be held by a
// container that cannot die (a frozen cgroup, a process in D state).
func removeWithin(ctx context.Context, c Container) error {
	bg := context.WithoutCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Remove(bg, RemoveOptions{Force: true}) }()
	wait := ctx
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		wait, cancel = context.WithTimeout(bg, lateGrace)
		defer cancel()
	}
	select {
	case err := <-done:
		return err
	case <-wait.Done():
	}
	go func() {
		kctx, cancel := context.WithTimeout(bg, lateGrace)
		defer cancel()
		_ = c.Kill(kctx, syscall.SIGKILL)
	}()
	return errorf(ErrLeftBehind, "container %s (%s) was not removed in time: it was killed and is left to berth gc", c.Name(), shortID(c.ID()))
}
