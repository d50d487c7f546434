package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"berth/runtime/backend"
	"berth/runtime/capped"
	"berth/runtime/container"
	"berth/runtime/logdriver"
	"berth/runtime/store"
)

// Start starts the container's main process (docker start). Starting a
// running container does nothing, as in Docker. With opts.Capture the
// output is also kept in memory, for ForegroundOutput.
func (c *Container) Start(ctx context.Context, opts backend.StartOptions) error {
	var capture *logdriver.Capture
	if opts.Capture {
		capture = logdriver.NewCapture(capped.Value, c.captureNote())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.status == backend.StatusRunning {
		return nil
	}
	return classify(c.startLocked(ctx, capture))
}

// runOutput is where a run's output goes: the pipes' write ends, which
// the container gets, and the copiers from their read ends to the log
// driver (and the capture).
type runOutput struct {
	driver     logdriver.Driver
	copiers    []*logdriver.Copier
	outW, errW *os.File
}

// startLocked runs the main process.
func (c *Container) startLocked(ctx context.Context, capture *logdriver.Capture) error {
	to, err := backend.Next(c.id, c.status, backend.EventStart)
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
	out, err := c.openOutput(capture)
	if err != nil {
		return c.failStart(err)
	}
	proc.Stdout, proc.Stderr = out.outW, out.errW
	inst, err := c.launch(ctx, proc, out)
	if err != nil {
		_ = c.logLoss.guard.CloseRun(out.copiers, out.driver) // the start's error says what matters
		return c.failStart(err)
	}
	c.status = to
	c.pid = inst.Pid()
	c.pidStart, _ = store.ProcessStartTime(c.pid) // 0 if gone already: then nothing matches it
	c.liveInst.Store(inst)
	c.startedAt = time.Now().UTC()
	c.finishedAt = time.Time{}
	c.exitCode = 0
	c.oomKilled = false
	c.prevCPU = cpuSample{}
	c.prevCPU.system, _ = container.SystemCPUNS() // 0 if unreadable: stats then shows 0%
	c.errMsg = ""
	c.capture = capture
	c.exited = make(chan struct{})
	go c.monitor(inst, out.copiers, out.driver, c.exited)
	return nil
}

// openOutput opens the log driver and the pipes of a run.
func (c *Container) openOutput(capture *logdriver.Capture) (runOutput, error) {
	driver, err := c.e.logs.New(c.spec.Log.DriverName(), c.logInfo())
	if err != nil {
		return runOutput{}, fmt.Errorf("failed to initialize logging driver: %w", err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		driver.Close()
		return runOutput{}, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		driver.Close()
		return runOutput{}, err
	}
	g := c.logLoss.guard
	g.AttachDriver(driver)
	sinks := []logdriver.Sink{g.Log}
	if capture != nil {
		sinks = append(sinks, capture.Sink())
	}
	return runOutput{driver: driver, outW: outW, errW: errW, copiers: []*logdriver.Copier{
		logdriver.NewFlushingCopier("stdout", logdriver.CloseAtEnd(outR), g.EndBatch, sinks...),
		logdriver.NewFlushingCopier("stderr", logdriver.CloseAtEnd(errR), g.EndBatch, sinks...),
	}}, nil
}

// launch starts the init, wires its network while it waits, and lets the
// program run. On failure nothing of the run is left but the output's
// read side, for CloseRun.
func (c *Container) launch(ctx context.Context, proc *container.Process, out runOutput) (*container.Instance, error) {
	cfg, err := c.runtimeConfig()
	if err == nil {
		err = stopped(ctx, "start")
	}
	var inst *container.Instance
	if err == nil {
		inst, err = c.e.runtime.Start(cfg, proc)
	}
	out.outW.Close() // the container holds its own copies now
	out.errW.Close()
	if err != nil {
		return nil, err
	}
	// The init waits for Resume: wire its network first, so the program
	// starts with its addresses, names and ports in place.
	if err = c.net.Setup(inst.NetNSPath()); err == nil {
		if err = stopped(ctx, "start"); err == nil {
			err = inst.Resume()
		}
	}
	if err != nil {
		c.net.Teardown()
		_ = inst.Signal(syscall.SIGKILL)
		_, _ = inst.Wait()
		return nil, err
	}
	return inst, nil
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
	logErr := c.logLoss.guard.CloseRun(copiers, driver)
	c.mu.Lock()
	// Before the exit is seen: a stopped container leaves DNS answers
	// and frees its address at once.
	c.net.Teardown()
	c.status, _ = backend.Next(c.id, c.status, backend.EventExit)
	c.exitCode = exit.Code
	c.oomKilled = exit.OOMKilled
	if err := errors.Join(werr, logErr); err != nil {
		c.errMsg = err.Error()
	}
	c.pid = 0
	c.liveInst.Store(nil)
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
		CgroupView:     cgroupView,
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

// cgroupView says whether containers get their cgroup view at
// /sys/fs/cgroup: all of them, as under Docker (see docs/limits.md). A
// variable for the benchmark that measures its cost.
var cgroupView = true
