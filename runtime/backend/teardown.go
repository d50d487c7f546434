package backend

import (
	"context"
	"syscall"
	"time"
)

// lateGrace is how long a container still gets once the close's deadline
// has passed (because another one used it up): removing a container
// whose process dies takes milliseconds.
const lateGrace = 5 * time.Second

// removeWithin force-removes c, waiting until ctx ends (or lateGrace, if
// it has already ended). Remove may wait for an operation that holds the
// container (a builtin blocked on I/O) or for an exit that does not come
// (a process stuck in the kernel): then c is sent SIGKILL without waiting,
// and reported as left to berth gc, which removes it once this process
// has ended. The removal goes on in the background and may still finish.
func removeWithin(ctx context.Context, c Container) error {
	done := make(chan error, 1)
	go func() { done <- c.Remove(context.WithoutCancel(ctx), RemoveOptions{Force: true}) }()
	wait := ctx
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		wait, cancel = context.WithTimeout(context.WithoutCancel(ctx), lateGrace)
		defer cancel()
	}
	select {
	case err := <-done:
		return err
	case <-wait.Done():
	}
	// Kill waits for the exit, which may not come: not here.
	go func() {
		kctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lateGrace)
		defer cancel()
		_ = c.Kill(kctx, syscall.SIGKILL)
	}()
	return errorf(ErrLeftBehind, "container %s (%s) was not removed in time: it was killed and is left to berth gc", c.Name(), shortID(c.ID()))
}
