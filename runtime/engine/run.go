package engine

import (
	"context"
	"syscall"
	"time"

	"berth/runtime/capped"
	"berth/runtime/logdriver"
	"berth/runtime/spec"
)

// RunOptions are docker run's flags that are not part of the container.
type RunOptions struct {
	Detach bool
	// Timeout bounds a foreground run; 0 means until ctx ends.
	Timeout time.Duration
}

// Run creates and starts a container (docker run). In the foreground it
// waits for the exit; the container keeps its output for Output.
func (s *Sandbox) Run(ctx context.Context, cs spec.Container, opts RunOptions) (*Container, error) {
	c, err := s.Create(ctx, cs)
	if err != nil {
		return nil, err
	}
	if opts.Detach {
		if err := c.Start(ctx); err != nil {
			return c, err
		}
		return c, nil
	}
	capture := logdriver.NewCapture(capped.Value, c.captureNote())
	c.mu.Lock()
	c.removeVolumes = true
	err = c.startLocked(ctx, capture)
	c.mu.Unlock()
	if err != nil {
		return c, err
	}
	wctx := ctx
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	if _, err := c.Wait(wctx); err != nil {
		_ = c.Kill(syscall.SIGKILL)
		if ctx.Err() == nil {
			return c, errorf(ErrTimeout, "container %s still running after %v: killed it\nlast lines:\n%s", c.name, opts.Timeout, c.lastLines(10))
		}
		return c, err
	}
	return c, nil
}

// captureNote ends the marker of a cut foreground output: where the rest
// of it is.
func (c *Container) captureNote() string {
	if _, err := logdriver.OpenReader(c.spec.Log.DriverName(), c.logInfo()); err != nil {
		return "log_driver " + c.spec.Log.DriverName() + " keeps nothing to read back"
	}
	return "logs() has all of it"
}

// ForegroundOutput is what a foreground run printed: stdout and stderr
// interleaved as written, and each alone, each cut to capped.Value with a
// note when longer. ok is false for a container that was not run in the
// foreground (use Logs).
func (c *Container) ForegroundOutput() (output, stdout, stderr string, ok bool) {
	c.mu.Lock()
	capture := c.capture
	exited := c.status != StatusRunning // the monitor has drained the output
	c.mu.Unlock()
	if capture == nil {
		return "", "", "", false
	}
	if exited {
		// The copiers are done: build the texts in place, once.
		capture.Seal()
	}
	return capture.Output(), capture.Stdout(), capture.Stderr(), true
}
