package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"berth/runtime/container"
	"berth/runtime/image"
	"berth/runtime/logdriver"
	"berth/runtime/network"
	"berth/runtime/spec"
	"berth/runtime/store"
	"berth/runtime/volume"
)

// Container is one container of a sandbox. Its main process is a child of
// this berth process: no shim, the container lives exactly as long as it.
type Container struct {
	e        *Engine
	sb       *Sandbox
	id       string
	name     string
	created  time.Time
	spec     spec.Container // as validated; Env is image env + user env
	img      *image.Image
	dir      string
	rootfs   string
	entry    []string // effective entrypoint (image's or given)
	cmd      []string // effective cmd
	args     []string // entry + cmd: what runs
	hostname string
	logPath  string
	mounts   []mountPoint
	net      *network.ContainerNet // its networking, from create to remove
	linkEnv  []string              // --link's variables, computed at each start
	// removeVolumes makes every removal take the anonymous volumes along,
	// as docker run --rm does: set for foreground runs.
	removeVolumes bool
	logLoss       logLoss // what the log driver refused, over the container's life
	logLossOnce   sync.Once
	// liveInst is the running instance, for a kill that must not wait
	// for mu (a teardown past its deadline).
	liveInst atomic.Pointer[container.Instance]

	mu         sync.Mutex
	status     Status
	exitCode   int
	oomKilled  bool
	errMsg     string
	pid        int
	pidStart   uint64 // the init's start time: with pid, names the process
	startedAt  time.Time
	finishedAt time.Time
	inst       *container.Instance
	exited     chan struct{} // closed when the current run ends
	capture    *logdriver.Capture
}

// record is what GC needs to find a container whose berth process died.
type record struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Sandbox string    `json:"sandbox"`
	Owner   owner     `json:"owner"`
	Created time.Time `json:"created"`
}

const recordFile = "record.json"

// Create makes a container without starting it (docker create).
func (s *Sandbox) Create(ctx context.Context, cs spec.Container) (*Container, error) {
	if err := s.checkOpen("create container"); err != nil {
		return nil, err
	}
	if err := cs.Validate(s.e.host); err != nil {
		return nil, err
	}
	if err := logdriver.ValidateOptions(cs.Log.DriverName(), cs.Log.Config); err != nil {
		return nil, err
	}
	img, err := s.e.images.Get(cs.Image)
	if err != nil {
		return nil, err
	}
	if err := stopped(ctx, "create container"); err != nil {
		return nil, err
	}
	entry, cmd := commandLine(cs, img.Config)
	args := append(append([]string(nil), entry...), cmd...)
	if len(args) == 0 {
		return nil, errorf(spec.ErrInvalid, "No command specified: image %s has no CMD and none was given", cs.Image)
	}
	id := newID()
	name := cs.Name
	if name == "" {
		name = s.uniqueName()
	} else if other := s.nameTaken(name); other != nil {
		return nil, errorf(ErrNameInUse, "Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to remove (or rename) that container to be able to reuse that name.", name, other.id)
	}
	cs.Env = mergeEnv(img.Config.Env, cs.Env)
	c := &Container{
		e: s.e, sb: s, id: id, name: name, created: time.Now().UTC(),
		spec: cs, img: img, dir: s.e.containerDir(id), entry: entry, cmd: cmd, args: args,
		status: StatusCreated,
	}
	c.initLogLoss()
	c.net, err = s.e.nets.NewContainerNet(netScope{s}, network.ContainerConfig{ID: id, Name: name, Dir: c.dir, Spec: cs})
	if err != nil {
		return nil, err
	}
	if err := stopped(ctx, "create container "+name); err != nil {
		c.net.Close()
		return nil, err
	}
	c.hostname = c.net.Hostname()
	c.logPath = filepath.Join(c.dir, id+"-json.log")
	if err := s.build(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// build makes what a created container has on the host: its directory and
// record, root filesystem, mounts and /etc files, then adds it to the
// sandbox. On failure, or when ctx ends between two steps, what the
// earlier steps made is removed, the volumes this create made included.
func (s *Sandbox) build(ctx context.Context, c *Container) (retErr error) {
	// The record comes with the directory so that GC finds the mount if
	// we die next.
	rec := record{ID: c.id, Name: c.name, Sandbox: s.label, Owner: s.e.owner, Created: c.created}
	if err := s.e.makeContainerDir(c.dir, rec); err != nil {
		return err
	}
	var madeVolumes []string
	defer func() {
		if retErr != nil {
			c.net.Close()
			c.teardown()
			// At once, not at Close: a closed sandbox's Close is over.
			for _, v := range madeVolumes {
				_ = s.RemoveVolume(v, true)
			}
		}
	}()
	var err error
	if c.rootfs, err = image.MountRootfs(c.img, c.dir, false); err != nil {
		return fmt.Errorf("container %s: %w", c.name, err)
	}
	what := "create container " + c.name
	if err := stopped(ctx, what); err != nil {
		return err
	}
	if c.mounts, madeVolumes, err = s.resolveMounts(c); err != nil {
		return err
	}
	if err := stopped(ctx, what); err != nil {
		return err
	}
	if err := volume.RecordUse(c.dir, volumeNames(c.mounts)); err != nil {
		return err
	}
	if err := c.net.WriteEtcFiles(); err != nil {
		return err
	}
	return s.add(c)
}

func (s *Sandbox) uniqueName() string {
	for {
		if n := randomName(); s.nameTaken(n) == nil {
			return n
		}
	}
}

// commandLine is Docker's rule: --entrypoint replaces the image's
// entrypoint and drops its CMD; a given cmd replaces the image's CMD.
func commandLine(cs spec.Container, ic image.Config) (entry, cmd []string) {
	entry, cmd = ic.Entrypoint, ic.Cmd
	if cs.EntrypointSet {
		entry, cmd = cs.Entrypoint, nil
	}
	if cs.Cmd != nil {
		cmd = cs.Cmd
	}
	return entry, cmd
}

// ID is the 64-hex container id.
func (c *Container) ID() string { return c.id }

// Name is the container's name, without Docker's leading slash.
func (c *Container) Name() string { return c.name }

// ImageRef is the image reference the container was created from.
func (c *Container) ImageRef() string { return c.spec.Image }

// Hostname is the container's hostname.
func (c *Container) Hostname() string { return c.hostname }

// State is a snapshot of the container's lifecycle state.
type State struct {
	Status     Status
	ExitCode   int
	OOMKilled  bool
	Pid        int
	Error      string // the run's error, then what the log lost
	LogErrors  int64  // log messages the driver refused, in the container's life
	StartedAt  time.Time
	FinishedAt time.Time
}

// State returns the container's current state.
func (c *Container) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	loss := c.logLoss.guard.Report()
	return State{Status: c.status, ExitCode: c.exitCode, OOMKilled: c.oomKilled, Pid: c.pid,
		Error: stateError(c.errMsg, loss), LogErrors: loss.Messages, StartedAt: c.startedAt, FinishedAt: c.finishedAt}
}

// Start starts the container's main process (docker start). Starting a
// running container does nothing, as in Docker.
func (c *Container) Start(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.status == StatusRunning {
		return nil
	}
	return c.startLocked(ctx, nil)
}

// startLocked runs the main process. With capture, its output is also
// kept in memory for a foreground run.
func (c *Container) startLocked(ctx context.Context, capture *logdriver.Capture) (retErr error) {
	to, err := next(c.id, c.status, evStart)
	if err != nil {
		return err
	}
	if err := stopped(ctx, "start"); err != nil {
		return err
	}
	c.linkEnv = c.net.LinkEnv()
	proc, err := c.processSpec()
	if err != nil {
		return c.failStart(err)
	}
	driver, err := logdriver.New(c.spec.Log.DriverName(), c.logInfo())
	if err != nil {
		return c.failStart(fmt.Errorf("failed to initialize logging driver: %w", err))
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		driver.Close()
		return c.failStart(err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		driver.Close()
		return c.failStart(err)
	}
	c.logLoss.guard.Attach(driver.Log)
	sinks := []logdriver.Sink{c.logLoss.guard.Log}
	if capture != nil {
		sinks = append(sinks, capture.Sink())
	}
	copiers := []*logdriver.Copier{
		logdriver.NewCopier("stdout", closeAtEnd{outR}, sinks...),
		logdriver.NewCopier("stderr", closeAtEnd{errR}, sinks...),
	}
	proc.Stdout, proc.Stderr = outW, errW
	cfg, err := c.runtimeConfig()
	if err == nil {
		err = stopped(ctx, "start")
	}
	var inst *container.Instance
	if err == nil {
		inst, err = c.e.runtime.Start(cfg, proc)
	}
	outW.Close() // the container holds its own copies now
	errW.Close()
	if err == nil {
		// The init waits for Resume: wire its network first, so the
		// program starts with its addresses, names and ports in place.
		if err = c.net.Setup(inst.NetNSPath()); err == nil {
			if err = stopped(ctx, "start"); err == nil {
				err = inst.Resume()
			}
		}
		if err != nil {
			c.net.Teardown()
			_ = inst.Signal(syscall.SIGKILL)
			_, _ = inst.Wait()
		}
	}
	if err != nil {
		_ = c.closeLog(copiers, driver) // the start's error says what matters
		return c.failStart(err)
	}
	c.status = to
	c.inst = inst
	c.pid = inst.Pid()
	c.pidStart, _ = store.ProcessStartTime(c.pid) // 0 if gone already: then nothing matches it
	c.liveInst.Store(inst)
	c.startedAt = time.Now().UTC()
	c.finishedAt = time.Time{}
	c.exitCode = 0
	c.oomKilled = false
	c.errMsg = ""
	c.capture = capture
	c.exited = make(chan struct{})
	go c.monitor(inst, copiers, driver, c.exited)
	return nil
}

// stopped returns an error wrapping ctx's when ctx is done, so that a
// cancelled create, start or remove stops before its next step.
func stopped(ctx context.Context, what string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// closeAtEnd closes a pipe's read end once its copier has read the end
// of the stream (or failed): the copier stops reading there, and nothing
// else holds the pipe.
type closeAtEnd struct{ f *os.File }

func (r closeAtEnd) Read(p []byte) (int, error) {
	n, err := r.f.Read(p)
	if err != nil {
		r.f.Close()
	}
	return n, err
}

// failStart records a start that never reached the user's program: the
// container keeps its state, with Docker's 127 for a missing executable
// and the shell's 126 for one the kernel refused to execute.
func (c *Container) failStart(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("container %s: %w", c.name, err) // stopped, not failed
	}
	c.errMsg = err.Error()
	switch {
	case errors.Is(err, container.ErrExecNotFound):
		c.exitCode = 127
	case errors.Is(err, container.ErrExecFailed):
		c.exitCode = 126
	default:
		c.exitCode = 128
	}
	return fmt.Errorf("container %s: %w", c.name, err)
}

// monitor waits for the main process, drains its output and marks the
// container exited.
func (c *Container) monitor(inst *container.Instance, copiers []*logdriver.Copier, driver logdriver.Driver, exited chan struct{}) {
	exit, werr := inst.Wait()
	logErr := c.closeLog(copiers, driver)
	c.mu.Lock()
	// Before the exit is seen: a stopped container leaves DNS answers
	// and frees its address at once.
	c.net.Teardown()
	c.status, _ = next(c.id, c.status, evExit)
	c.exitCode = exit.Code
	c.oomKilled = exit.OOMKilled
	if err := errors.Join(werr, logErr); err != nil {
		c.errMsg = err.Error()
	}
	c.pid = 0
	c.liveInst.Store(nil)
	c.inst = nil
	c.finishedAt = time.Now().UTC()
	close(exited)
	c.mu.Unlock()
}

func (c *Container) runtimeConfig() (*container.Config, error) {
	etc := c.net.EtcDir() // a joined container's files for network="container:NAME"
	cfg := &container.Config{
		ID: c.id, Rootfs: c.rootfs, Hostname: c.hostname,
		ReadonlyRootfs: c.spec.ReadOnly,
		Resources:      c.spec.Resources,
		Binds: []container.Bind{
			{Source: filepath.Join(etc, "hostname"), Destination: "/etc/hostname"},
			{Source: filepath.Join(etc, "hosts"), Destination: "/etc/hosts"},
			{Source: filepath.Join(etc, "resolv.conf"), Destination: "/etc/resolv.conf"},
		},
	}
	runtimeMounts(c.mounts, cfg)
	ns, err := c.net.Verify()
	switch {
	case err != nil:
		return nil, err
	case ns.Host:
		cfg.Net = container.NetHost
	case ns.Join != "":
		cfg.Net, cfg.NetNSPath = container.NetJoin, ns.Join
	}
	return cfg, nil
}

// exitedChan returns the channel closed when the current (or last) run
// ends, and whether the container is running now.
func (c *Container) exitedChan() (<-chan struct{}, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.exited, c.status == StatusRunning
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

// Stop sends SIGTERM, then SIGKILL after timeout (docker stop).
func (c *Container) Stop(ctx context.Context, timeout time.Duration) error {
	ch, running := c.exitedChan()
	if !running {
		return nil
	}
	if err := c.signal(syscall.SIGTERM); err != nil {
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
	if err := c.signal(syscall.SIGKILL); err != nil {
		return err
	}
	<-ch // SIGKILL of a pid namespace's init cannot be ignored
	return nil
}

// Kill sends sig to the main process (docker kill). After SIGKILL it waits
// for the exit, so the state a scenario reads next is settled.
func (c *Container) Kill(sig syscall.Signal) error {
	ch, running := c.exitedChan()
	if !running {
		return errorf(ErrNotRunning, "Cannot kill container: %s: Container %s is not running", c.name, c.id)
	}
	if err := c.signal(sig); err != nil {
		return err
	}
	if sig == syscall.SIGKILL {
		<-ch
	}
	return nil
}

func (c *Container) signal(sig syscall.Signal) error {
	c.mu.Lock()
	inst := c.inst
	c.mu.Unlock()
	if inst == nil {
		return nil
	}
	return inst.Signal(sig)
}

// Restart stops the container (if running) and starts it again.
func (c *Container) Restart(ctx context.Context, timeout time.Duration) error {
	if err := c.Stop(ctx, timeout); err != nil {
		return err
	}
	return c.Start(ctx)
}

// RemoveOptions are docker rm's flags.
type RemoveOptions struct {
	Force   bool // kill a running container first
	Volumes bool // also remove anonymous volumes
}

// Remove deletes the container and everything it holds on the host.
// A cancelled ctx stops it before its next step: before the kill, while
// waiting for the killed container to exit, or before the removal starts.
func (c *Container) Remove(ctx context.Context, opts RemoveOptions) error {
	// Check and move to "removing" under one lock, killing and retrying
	// while the container runs: a start between a kill and the move
	// would otherwise leave a running container nobody removes.
	what := "remove container " + c.name
	for {
		c.mu.Lock()
		if c.status == StatusRemoved {
			c.mu.Unlock()
			return nil
		}
		if err := stopped(ctx, what); err != nil {
			c.mu.Unlock()
			return err
		}
		if c.status == StatusRunning {
			ch := c.exited
			c.mu.Unlock()
			if !opts.Force {
				return &TransitionError{ID: c.id, From: StatusRunning, Event: string(evRemove)}
			}
			_ = c.signal(syscall.SIGKILL)
			select {
			case <-ch:
			case <-ctx.Done():
				return fmt.Errorf("%s: killed, still waiting for it to exit: %w", what, ctx.Err())
			}
			continue
		}
		to, err := next(c.id, c.status, evRemove)
		if err != nil {
			c.mu.Unlock()
			return err
		}
		c.status = to
		c.mu.Unlock()
		break
	}

	err := c.teardown()
	c.sb.forget(c)
	c.net.Close()
	c.mu.Lock()
	c.status, _ = next(c.id, c.status, evGone)
	c.mu.Unlock()
	if opts.Volumes || c.removeVolumes {
		err = errors.Join(err, c.removeAnonymousVolumes())
	}
	return err
}

// removeAnonymousVolumes removes the anonymous volumes the container
// mounted (docker rm -v), except those another container still uses.
// Named volumes always stay.
func (c *Container) removeAnonymousVolumes() error {
	var errs []error
	for _, mp := range c.mounts {
		if mp.Type != spec.MountVolume || mp.Source != "" || mp.FromContainer != "" {
			continue
		}
		err := c.sb.RemoveVolume(mp.Name, true)
		if err != nil && !errors.Is(err, ErrVolumeInUse) {
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
	if err := c.e.removeContainerDir(c.dir); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("remove container %s: %w", c.name, err)
	}
	return nil
}
