package fake

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"berth/runtime/backend"
	"berth/runtime/spec"
)

// Container is a fake container. Tests reach it by type assertion on a
// backend.Container to drive its program: Exit, Log, Listen.
type Container struct {
	b             *Backend
	scope         backend.Scope
	id, name      string
	seq           int
	created       time.Time
	spec          spec.Container // as validated; Env is image env + user env
	image         backend.ImageInfo
	entry, cmd    []string
	cfg           backend.ContainerConfig // the image's config merged under the spec
	args          []string                // entry + cmd: the command line
	hostname      string
	removeVolumes bool
	prog          Program
	// Resolved at create, read-only afterwards.
	netMode netMode
	join    *Container // netContainer: whose namespace
	links   []link
	ports   []spec.PortMapping
	mounts  []mount

	mu        sync.Mutex
	state     backend.ContainerState
	exited    chan struct{} // closed when the current run ends
	changed   chan struct{} // closed and replaced when logs or state change
	logs      []backend.LogMessage
	capture   *capture
	listening map[int]bool
	files     map[string][]byte
	nets      []*attachment
	resources spec.Resources
	stats     backend.Stats
}

var _ backend.Container = (*Container)(nil)

func newContainer(b *Backend, req backend.CreateRequest, cs spec.Container, img backend.ImageInfo, name string, cfg backend.ContainerConfig) *Container {
	entry, cmd := cfg.Entrypoint, cfg.Cmd
	return &Container{
		b: b, scope: req.Scope, id: newID(), name: name, created: time.Now().UTC(),
		spec: cs, image: img, entry: entry, cmd: cmd, cfg: cfg,
		args:          append(append([]string(nil), entry...), cmd...),
		removeVolumes: req.RemoveVolumes,
		prog:          b.program(append(append([]string(nil), entry...), cmd...)),
		state:         backend.ContainerState{Status: backend.StatusCreated},
		changed:       make(chan struct{}),
		listening:     map[int]bool{},
		files:         map[string][]byte{},
		resources:     cs.Resources,
	}
}

// newID returns a Docker-style 64-hex id whose short form is not all
// digits.
func newID() string {
	b := make([]byte, 32)
	for {
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		if strings.Trim(id[:12], "0123456789") != "" {
			return id
		}
	}
}

func (c *Container) defaultHostname() string {
	switch {
	case c.spec.Hostname != "":
		return c.spec.Hostname
	case c.netMode == netContainer:
		return c.join.Hostname()
	case c.netMode == netHost:
		if h, err := os.Hostname(); err == nil {
			return h
		}
	}
	return c.id[:12]
}

func (c *Container) ID() string       { return c.id }
func (c *Container) Name() string     { return c.name }
func (c *Container) ImageRef() string { return c.spec.Image }
func (c *Container) Hostname() string { return c.hostname }

func (c *Container) State() backend.ContainerState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

func (c *Container) ForegroundOutput() (backend.Output, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.capture == nil {
		return backend.Output{}, false
	}
	return c.capture.output(), true
}

// notify wakes FollowLogs. The caller holds c.mu.
func (c *Container) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *Container) Start(ctx context.Context, opts backend.StartOptions) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state.Status == backend.StatusRunning {
		return nil
	}
	to, err := backend.Next(c.id, c.state.Status, backend.EventStart)
	if err != nil {
		return err
	}
	if c.prog.NotFound {
		return c.failStart(notFound(c.args[0]))
	}
	if c.netMode == netContainer && c.join.State().Status != backend.StatusRunning {
		return c.failStart(errorf(backend.ErrNotRunning, "cannot join network of a non running container: %s", c.join.id))
	}
	if err := c.wireLocked(); err != nil {
		return c.failStart(err)
	}
	c.state = backend.ContainerState{Status: to, Pid: c.b.pid(), StartedAt: time.Now().UTC()}
	c.capture = nil
	if opts.Capture {
		c.capture = &capture{}
	}
	c.exited = make(chan struct{})
	c.logLocked("stdout", c.prog.Stdout)
	c.logLocked("stderr", c.prog.Stderr)
	for _, p := range c.prog.Listens {
		c.listening[p] = true
	}
	switch {
	case c.prog.OOMKilled:
		c.exitLocked(137, true)
	case !c.prog.Runs:
		c.exitLocked(c.prog.ExitCode, false)
	}
	c.notify()
	return nil
}

// notFound is Docker's text for a program that cannot be executed.
func notFound(prog string) error {
	if strings.Contains(prog, "/") {
		return fmt.Errorf("exec: %q: stat %s: no such file or directory", prog, prog)
	}
	return fmt.Errorf("exec: %q: executable file not found in $PATH", prog)
}

// failStart records a start that never reached the program: the container
// keeps its state, with Docker's 127 for a missing executable.
func (c *Container) failStart(err error) error {
	c.state.Error = err.Error()
	c.state.ExitCode = 128
	if c.prog.NotFound {
		c.state.ExitCode = 127
	}
	return fmt.Errorf("container %s: %w", c.name, err)
}

// exitLocked ends the current run. The caller holds c.mu.
func (c *Container) exitLocked(code int, oom bool) {
	c.unwireLocked()
	c.state.Status, _ = backend.Next(c.id, c.state.Status, backend.EventExit)
	c.state.ExitCode = code
	c.state.OOMKilled = oom
	c.state.Pid = 0
	c.state.FinishedAt = time.Now().UTC()
	clear(c.listening)
	close(c.exited)
	c.notify()
}

// Exit makes the running program exit with code, as if it returned.
func (c *Container) Exit(code int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state.Status == backend.StatusRunning {
		c.exitLocked(code, false)
	}
}

// exitedChan returns the channel closed when the current run ends, and
// whether the container is running now.
func (c *Container) exitedChan() (<-chan struct{}, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.exited, c.state.Status == backend.StatusRunning
}

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

// signalLocked delivers sig to the program: a trap exits with its code,
// SIGKILL with 137, anything else is ignored. The caller holds c.mu.
func (c *Container) signalLocked(sig syscall.Signal) {
	if code, ok := c.prog.Traps[sig]; ok {
		c.exitLocked(code, false)
	} else if sig == syscall.SIGKILL {
		c.exitLocked(128+int(syscall.SIGKILL), false)
	}
}

// Stop has no grace period: a program that does not trap SIGTERM is
// killed at once.
func (c *Container) Stop(ctx context.Context, timeout time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state.Status != backend.StatusRunning {
		return nil
	}
	c.signalLocked(syscall.SIGTERM)
	if c.state.Status == backend.StatusRunning {
		c.signalLocked(syscall.SIGKILL)
	}
	return nil
}

func (c *Container) Kill(ctx context.Context, sig syscall.Signal) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state.Status != backend.StatusRunning {
		return errorf(backend.ErrNotRunning, "Cannot kill container: %s: Container %s is not running", c.name, c.id)
	}
	c.signalLocked(sig)
	return nil
}

func (c *Container) Restart(ctx context.Context, timeout time.Duration) error {
	if err := c.Stop(ctx, timeout); err != nil {
		return err
	}
	return c.Start(ctx, backend.StartOptions{})
}

func (c *Container) Remove(ctx context.Context, opts backend.RemoveOptions) error {
	c.mu.Lock()
	switch c.state.Status {
	case backend.StatusRemoved:
		c.mu.Unlock()
		return nil
	case backend.StatusRunning:
		if !opts.Force {
			c.mu.Unlock()
			return &backend.TransitionError{ID: c.id, From: backend.StatusRunning, Event: backend.EventRemove}
		}
		c.signalLocked(syscall.SIGKILL)
	}
	to, err := backend.Next(c.id, c.state.Status, backend.EventRemove)
	if err != nil {
		c.mu.Unlock()
		return err
	}
	c.state.Status = to
	c.mu.Unlock()

	c.b.forget(c)
	c.mu.Lock()
	c.state.Status, _ = backend.Next(c.id, c.state.Status, backend.EventGone)
	c.notify()
	c.mu.Unlock()
	if opts.Volumes || c.removeVolumes {
		return c.removeAnonymousVolumes(ctx)
	}
	return nil
}

// removeAnonymousVolumes removes the anonymous volumes the container
// mounted (docker rm -v), except those another container still uses.
func (c *Container) removeAnonymousVolumes(ctx context.Context) error {
	var errs []error
	for _, m := range c.mounts {
		if m.Type != spec.MountVolume || m.Source != "" || m.From != "" {
			continue
		}
		if err := c.scope.RemoveVolume(ctx, m.Name, true); err != nil && !errors.Is(err, backend.ErrVolumeInUse) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// gone refuses to touch a removed container, with the engine's text.
func (c *Container) gone() error {
	switch c.State().Status {
	case backend.StatusRemoving, backend.StatusRemoved:
		return errorf(backend.ErrNoSuchContainer, "No such container: %s (it was removed)", c.name)
	}
	return nil
}
