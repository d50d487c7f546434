package engine

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"time"

	"berth/runtime/backend"
	"berth/runtime/image"
	"berth/runtime/spec"
	"berth/runtime/units"
)

// exitedChan returns the channel closed when the current (or last) run
// ends, and whether the container is running now.
func (c *Container) exitedChan() (<-chan struct{}, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.exited, c.status == backend.StatusRunning
}

// Wait blocks until the container is not running and returns its exit
// code (docker wait).
func (c *Container) Wait(ctx context.Context) (int, error) {
	ch, running := c.exitedChan()
	if running {
		select {
		case <-ch:
		case <-ctx.Done():
			return 0, fmt.Errorf("wait for container %s: %w", c.name, ctx.Err())
		}
	}
	return c.State().ExitCode, nil
}

// Stop sends the stop signal (the image's STOPSIGNAL, else SIGTERM), then
// SIGKILL after timeout (docker stop).
func (c *Container) Stop(ctx context.Context, timeout time.Duration) error {
	ch, running := c.exitedChan()
	if !running {
		return nil
	}
	sig, err := units.ParseSignal(c.cfg.StopSignalOf()) // checked at create
	if err != nil {
		return err
	}
	if _, err := c.signal(sig); err != nil {
		return err
	}
	grace := time.NewTimer(timeout)
	defer grace.Stop()
	select {
	case <-ch:
		return nil
	case <-grace.C:
	case <-ctx.Done():
	}
	if _, err := c.signal(syscall.SIGKILL); err != nil {
		return err
	}
	<-ch // SIGKILL of a pid namespace's init cannot be ignored
	return nil
}

// Kill sends sig to the main process (docker kill). After SIGKILL it waits
// for the exit, so the state a scenario reads next is settled, or until
// ctx ends.
func (c *Container) Kill(ctx context.Context, sig syscall.Signal) error {
	sent := false
	if sig == syscall.SIGKILL {
		// At once, without mu: an operation stuck while holding it must
		// not keep the kill from the process.
		var err error
		if sent, err = c.signal(sig); err != nil {
			return err
		}
	}
	ch, running := c.exitedChan()
	if !running && !sent {
		return errorf(backend.ErrNotRunning, "Cannot kill container: %s: Container %s is not running", c.name, c.id)
	}
	if !sent {
		if _, err := c.signal(sig); err != nil {
			return err
		}
	}
	if sig == syscall.SIGKILL && running {
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("kill container %s: killed, still waiting for it to exit: %w", c.name, ctx.Err())
		}
	}
	return nil
}

// signal sends sig to the running init; sent is false when none runs.
func (c *Container) signal(sig syscall.Signal) (sent bool, err error) {
	inst := c.liveInst.Load()
	if inst == nil {
		return false, nil
	}
	return true, inst.Signal(sig) // libcontainer checks the pid is still the init
}

// Restart stops the container (if running) and starts it again.
func (c *Container) Restart(ctx context.Context, timeout time.Duration) error {
	if err := c.Stop(ctx, timeout); err != nil {
		return err
	}
	return c.Start(ctx, backend.StartOptions{})
}

// Remove deletes the container and everything it holds on the host.
// A cancelled ctx stops it before its next step: before the kill, while
// waiting for the killed container to exit, or before the removal starts.
func (c *Container) Remove(ctx context.Context, opts backend.RemoveOptions) error {
	if done, err := c.markRemoving(ctx, opts.Force); done || err != nil {
		return err
	}
	err := c.teardown()
	c.net.Close()
	c.e.dns.Release(c.dns)
	c.mu.Lock()
	c.status, _ = backend.Next(c.id, c.status, backend.EventGone)
	c.mu.Unlock()
	if opts.Volumes || c.removeVolumes {
		err = errors.Join(err, c.removeAnonymousVolumes(context.WithoutCancel(ctx)))
	}
	return err
}

// markRemoving moves the container to "removing"; done is true when it
// was removed already. The check and the move happen under one lock,
// killing and retrying while the container runs: a start between a kill
// and the move would otherwise leave a running container nobody removes.
func (c *Container) markRemoving(ctx context.Context, force bool) (done bool, err error) {
	what := "remove container " + c.name
	for {
		c.mu.Lock()
		if c.status == backend.StatusRemoved {
			c.mu.Unlock()
			return true, nil
		}
		if err := stopped(ctx, what); err != nil {
			c.mu.Unlock()
			return false, err
		}
		if c.status != backend.StatusRunning {
			to, err := backend.Next(c.id, c.status, backend.EventRemove)
			c.status = to
			c.mu.Unlock()
			return false, err
		}
		ch := c.exited
		c.mu.Unlock()
		if !force {
			return false, &backend.TransitionError{ID: c.id, From: backend.StatusRunning, Event: backend.EventRemove}
		}
		_, _ = c.signal(syscall.SIGKILL)
		select {
		case <-ch:
		case <-ctx.Done():
			return false, fmt.Errorf("%s: killed, still waiting for it to exit: %w", what, ctx.Err())
		}
	}
}

// removeAnonymousVolumes removes the anonymous volumes the container
// mounted (docker rm -v), except those another container still uses.
// Named volumes always stay.
func (c *Container) removeAnonymousVolumes(ctx context.Context) error {
	var errs []error
	for _, mp := range c.mounts {
		if mp.Type != spec.MountVolume || mp.Source != "" || mp.FromContainer != "" {
			continue
		}
		err := c.scope.RemoveVolume(ctx, mp.Name, true)
		if err != nil && !errors.Is(err, backend.ErrVolumeInUse) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// teardown unmounts the root filesystem and deletes the container's
// directory (record last, so GC still finds a half-removed container).
func (c *Container) teardown() error {
	var errs []error
	if err := image.UnmountRootfs(c.dir); err != nil {
		errs = append(errs, err)
	}
	if err := c.e.dirs.Remove(c.id); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("remove container %s: %w", c.name, err)
	}
	return nil
}
