package engine

import (
	"sync"
	"sync/atomic"
	"time"

	"berth/runtime/backend"
	"berth/runtime/container"
	"berth/runtime/image"
	"berth/runtime/logdriver"
	"berth/runtime/network"
	"berth/runtime/spec"
	"berth/runtime/volume"
)

// Container is one container of the engine. Its main process is a child
// of this berth process: no shim, the container lives exactly as long as
// it.
type Container struct {
	e        *Engine
	scope    backend.Scope // the sandbox it was created in
	id       string
	name     string
	created  time.Time
	spec     spec.Container // as validated, with the image's config merged in (cfg.Apply)
	cfg      backend.ContainerConfig
	img      *image.Image
	dir      string
	rootfs   string
	entry    []string // effective entrypoint (image's or given)
	cmd      []string // effective cmd
	args     []string // entry + cmd: what runs
	hostname string
	logPath  string
	mounts   []volume.MountPoint
	net      *network.ContainerNet // its networking, from create to remove
	dns      *network.HeldDNS      // its file's, held from create to remove
	linkEnv  []string              // --link's variables, computed at each start
	// removeVolumes makes every removal take the anonymous volumes along,
	// as docker run --rm does: set for foreground runs.
	removeVolumes bool
	logLoss       logLoss // what the log driver refused, over the container's life
	logLossOnce   sync.Once
	logDrops      *logdriver.Drops // what the driver took but could not deliver, over the container's life
	// liveInst is the running instance, read without mu: a kill must not
	// wait for an operation that holds it.
	liveInst atomic.Pointer[container.Instance]

	mu         sync.Mutex
	status     backend.Status
	exitCode   int
	oomKilled  bool
	errMsg     string
	pid        int
	pidStart   uint64 // the init's start time: with pid, names the process
	startedAt  time.Time
	finishedAt time.Time
	exited     chan struct{} // closed when the current run ends
	capture    *logdriver.Capture
}

// ID is the 64-hex container id.
func (c *Container) ID() string { return c.id }

// Name is the container's name, without Docker's leading slash.
func (c *Container) Name() string { return c.name }

// ImageRef is the image reference the container was created from.
func (c *Container) ImageRef() string { return c.spec.Image }

// Hostname is the container's hostname.
func (c *Container) Hostname() string { return c.hostname }

// IP is the container's address on its first network, "" when it has none
// (not running, or not on a network).
func (c *Container) IP() string { return c.net.IP() }

// IPs maps each network's name to the container's address on it.
func (c *Container) IPs() map[string]string { return c.net.IPs() }

// State returns the container's current state; Error is the run's error,
// then what the log lost.
func (c *Container) State() backend.ContainerState {
	c.mu.Lock()
	defer c.mu.Unlock()
	loss := c.logLoss.guard.Report()
	drops := c.logDrops.Report()
	return backend.ContainerState{Status: c.status, ExitCode: c.exitCode, OOMKilled: c.oomKilled, Pid: c.pid,
		Error: drops.AfterDropsError(loss.AfterRunError(c.errMsg)), LogErrors: loss.Messages, LogDrops: drops.Messages,
		StartedAt: c.startedAt, FinishedAt: c.finishedAt}
}

// ForegroundOutput is what a run started with Capture printed: stdout
// and stderr interleaved as written, and each alone, each cut to
// capped.Value with a note when longer.
func (c *Container) ForegroundOutput() (backend.Output, bool) {
	c.mu.Lock()
	capture := c.capture
	exited := c.status != backend.StatusRunning // the monitor has drained the output
	c.mu.Unlock()
	if capture == nil {
		return backend.Output{}, false
	}
	if exited {
		// The copiers are done: build the texts in place, once.
		capture.Seal()
	}
	return backend.Output{Output: capture.Output(), Stdout: capture.Stdout(), Stderr: capture.Stderr()}, true
}

// captureNote ends the marker of a cut foreground output: where the rest
// of it is.
func (c *Container) captureNote() string {
	if _, err := c.e.logs.OpenReader(c.spec.Log.DriverName(), c.logInfo()); err != nil {
		return "log_driver " + c.spec.Log.DriverName() + " keeps nothing to read back"
	}
	return "logs() has all of it"
}
