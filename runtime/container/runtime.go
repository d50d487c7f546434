package container

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/runc/libcontainer"

	"berth/runtime/kinderr"
	"berth/runtime/spec"
)

// Runtime starts containers whose libcontainer state lives under one
// directory.
type Runtime struct {
	stateRoot string
	seccompCache
}

// NewRuntime returns a Runtime keeping libcontainer state in stateRoot.
func NewRuntime(stateRoot string) (*Runtime, error) {
	if err := os.MkdirAll(stateRoot, 0o700); err != nil {
		return nil, fmt.Errorf("create runtime state dir: %w", err)
	}
	return &Runtime{stateRoot: stateRoot}, nil
}

// StateRoot is where libcontainer keeps its per-container state.
func (r *Runtime) StateRoot() string { return r.stateRoot }

// Process is a process to run in a container.
type Process struct {
	Args   []string
	Env    []string
	Cwd    string
	UID    int
	GID    int
	Groups []int
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// libcontainer converts p; execErr is the write end of the pipe through
// which the init reports a failed execve (execerr.go).
func (p *Process) libcontainer(init bool, execErr *os.File) *libcontainer.Process {
	cwd := p.Cwd
	if cwd == "" {
		cwd = "/"
	}
	return &libcontainer.Process{
		Args: p.Args, Env: p.Env, Cwd: cwd,
		UID: p.UID, GID: p.GID, AdditionalGroups: p.Groups,
		Stdin: p.Stdin, Stdout: p.Stdout, Stderr: p.Stderr,
		ExtraFiles: []*os.File{execErr},
		Init:       init,
	}
}

// Instance is one run of a container: from Start until its init exits and
// Destroy releases its cgroups and state.
type Instance struct {
	c       *libcontainer.Container
	init    *libcontainer.Process
	pid     int
	process *Process
	execErr *execReport
	// initCmdline is /proc/PID/cmdline of libcontainer's init before it
	// executes the user's program; a change means the program runs.
	initCmdline []byte

	dirsOnce sync.Once
	dirs     statDirs // its cgroup's directories, read once from libcontainer's state
}

// Start creates the container and starts its init, which waits before
// executing the user's program until Resume: the gap where the engine wires
// networking. On failure nothing is left behind.
func (r *Runtime) Start(cfg *Config, p *Process) (_ *Instance, retErr error) {
	lc, err := r.libcontainerConfig(cfg)
	if err != nil {
		return nil, err
	}
	c, err := libcontainer.Create(r.stateRoot, cfg.ID, lc)
	if err != nil {
		return nil, fmt.Errorf("create container %s: %w", cfg.ID, err)
	}
	defer func() {
		if retErr != nil {
			_ = c.Destroy()
		}
	}()
	report, execErr, err := newExecReport()
	if err != nil {
		return nil, err
	}
	proc := p.libcontainer(true, execErr)
	err = c.Start(proc)
	execErr.Close() // the init has its own copy now
	if err != nil {
		return nil, startError(err)
	}
	pid, err := proc.Pid()
	if err != nil {
		_ = c.Signal(syscall.SIGKILL)
		_, _ = proc.Wait()
		return nil, fmt.Errorf("container %s: init pid: %w", cfg.ID, err)
	}
	if cfg.CgroupView && !unifiedMode() {
		if err := mountCgroupViewV1(pid); err != nil {
			_ = c.Signal(syscall.SIGKILL)
			_, _ = proc.Wait()
			return nil, fmt.Errorf("container %s: %w", cfg.ID, err)
		}
	}
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return &Instance{c: c, init: proc, pid: pid, process: p, execErr: report, initCmdline: cmdline}, nil
}

// ErrExecNotFound marks a start that failed because the program could not
// be found or executed (Docker's exit code 127 case).
var ErrExecNotFound = errors.New("executable not found")

// startError unwraps libcontainer's error chain to the init's own message
// (e.g. `exec: "/nonexistent": stat /nonexistent: no such file or
// directory`), which is what Docker shows.
func startError(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "exec: \""); i >= 0 {
		return kinderr.Errorf(ErrExecNotFound, "%s", msg[i:])
	}
	return fmt.Errorf("start container: %w", err)
}

// Resume lets the init execute the user's program, and returns once it
// runs: an execve that fails is an ErrExecFailed naming the cause, and the
// init has then exited.
func (i *Instance) Resume() error {
	if err := i.c.Exec(); err != nil {
		return fmt.Errorf("container %s: exec init: %w", i.c.ID(), err)
	}
	return i.execErr.wait(i.process)
}

// Pid is the host PID of the container's init.
func (i *Instance) Pid() int { return i.pid }

// ID is the container id.
func (i *Instance) ID() string { return i.c.ID() }

// NetNSPath is the path of the init's network namespace.
func (i *Instance) NetNSPath() string { return fmt.Sprintf("/proc/%d/ns/net", i.pid) }

// Exit is how a container's init ended.
type Exit struct {
	Code      int  // exit status, or 128+signal
	OOMKilled bool // the kernel's OOM killer fired in the container's cgroup
}

// Wait blocks until the init exits, then releases the container's cgroups
// and libcontainer state. Call it exactly once.
func (i *Instance) Wait() (Exit, error) {
	state, werr := i.init.Wait()
	exit := Exit{Code: exitCode(state)}
	exit.OOMKilled = i.oomKilled()
	if err := i.c.Destroy(); err != nil {
		return exit, fmt.Errorf("container %s: destroy: %w", i.c.ID(), err)
	}
	if state == nil && werr != nil {
		return exit, fmt.Errorf("container %s: wait: %w", i.c.ID(), werr)
	}
	return exit, nil
}

func exitCode(state *os.ProcessState) int {
	if state == nil {
		return 255
	}
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return state.ExitCode()
}

// oomKilled reports whether the kernel's OOM killer killed any process of
// the container's cgroup (its oom_kill counter; the cgroup is new at each
// start, so this is for this run only).
func (i *Instance) oomKilled() bool { return oomKilledIn(i.cgroupDirs()) }

// oomKilledIn reads the oom_kill counter under dirs: a kill, not an OOM
// event (memory.events' "oom" also counts the times the kernel reclaimed
// enough without killing).
func oomKilledIn(dirs statDirs) bool {
	s, err := readCgroupStats(dirs)
	return err == nil && s.OOMKills > 0
}

// cgroupDirs reads the container's cgroup directories from libcontainer's
// state, once.
func (i *Instance) cgroupDirs() statDirs {
	i.dirsOnce.Do(func() {
		st, err := i.c.State()
		if err != nil {
			return
		}
		i.dirs = dirsOf(st.CgroupPaths, cgroups.IsCgroup2UnifiedMode())
	})
	return i.dirs
}

// dirsOf picks the directories stats reads from libcontainer's
// CgroupPaths (controller → directory; "" is the v2 one).
func dirsOf(paths map[string]string, unified bool) statDirs {
	if unified {
		return statDirs{Unified: paths[""]}
	}
	v1 := map[string]string{}
	for _, c := range []string{"memory", "cpu", "cpuacct", "pids", "blkio"} {
		v1[c] = paths[c]
	}
	return statDirs{V1: v1}
}

// Signal sends sig to the container's init. A catchable signal waits until
// the init has executed the user's program: before that, the init is
// libcontainer's own Go code, whose runtime would exit with status 2 on
// SIGTERM instead of letting the program decide.
func (i *Instance) Signal(sig os.Signal) error {
	if sig != syscall.SIGKILL && sig != syscall.SIGSTOP {
		i.awaitUserProgram(2 * time.Second)
	}
	if err := i.c.Signal(sig); err != nil {
		if errors.Is(err, libcontainer.ErrNotRunning) {
			return nil
		}
		return fmt.Errorf("container %s: signal %v: %w", i.c.ID(), sig, err)
	}
	return nil
}

// awaitUserProgram polls until the init's command line is no longer
// libcontainer's, the process is gone, or timeout passes.
func (i *Instance) awaitUserProgram(timeout time.Duration) {
	path := fmt.Sprintf("/proc/%d/cmdline", i.pid)
	deadline := time.Now().Add(timeout)
	for {
		cur, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(cur, i.initCmdline) || time.Now().After(deadline) {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// Exec runs p inside the running container and waits for it. Cancelling
// ctx kills the exec'd process.
func (i *Instance) Exec(ctx context.Context, p *Process) (int, error) {
	report, execErr, err := newExecReport()
	if err != nil {
		return -1, err
	}
	proc := p.libcontainer(false, execErr)
	err = i.c.Run(proc)
	execErr.Close() // the process has its own copy now
	if err != nil {
		if se := startError(err); errors.Is(se, ErrExecNotFound) {
			return 127, se
		}
		return -1, fmt.Errorf("container %s: exec %q: %w", i.c.ID(), p.Args, err)
	}
	stop := context.AfterFunc(ctx, func() { _ = proc.Signal(syscall.SIGKILL) })
	defer stop()
	state, err := proc.Wait()
	if state == nil {
		return -1, fmt.Errorf("container %s: wait for exec: %w", i.c.ID(), err)
	}
	if err := report.wait(p); err != nil {
		return 126, err // the shell's code for a program that cannot be executed
	}
	if ctx.Err() != nil {
		return exitCode(state), ctx.Err()
	}
	return exitCode(state), nil
}

// Update applies new limits to the running container.
func (i *Instance) Update(r spec.Resources) error {
	cfg := i.c.Config()
	res := *cfg.Cgroups.Resources // Config() is a shallow copy
	cg := *cfg.Cgroups
	cg.Resources = &res
	cfg.Cgroups = &cg
	if err := applyResources(cfg.Cgroups.Resources, r); err != nil {
		return err
	}
	if err := i.c.Set(cfg); err != nil {
		// The kernel refused one file after others were written:
		// libcontainer writes the previous limits back but only logs a
		// failure to; write them once more to know.
		err = fmt.Errorf("container %s: update resources: %w", i.c.ID(), err)
		if rerr := i.c.Set(i.c.Config()); rerr != nil {
			return errors.Join(err, fmt.Errorf("container %s: restore the previous limits: %w", i.c.ID(), rerr))
		}
		return err
	}
	return nil
}

// Stats are a container's current resource usage: its cgroup's counters
// and its network namespace's interfaces.
type Stats struct {
	CgroupStats
	Networks map[string]NetDev // by interface name in the container, without lo
}

// Stats reads the container's cgroup counters and network interfaces.
func (i *Instance) Stats() (Stats, error) {
	cs, err := readCgroupStats(i.cgroupDirs())
	if err != nil {
		return Stats{}, fmt.Errorf("container %s: stats: %w", i.c.ID(), err)
	}
	s := Stats{CgroupStats: cs}
	// The init's /proc/PID/net/dev lists its network namespace's
	// interfaces; a process that just exited leaves none to read.
	if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/dev", i.pid)); err == nil {
		s.Networks = readNetDev(data)
	}
	return s, nil
}

// Recover removes a container that a killed berth process left: kill
// whatever still runs, wait for it to stop and destroy its cgroups and
// state. A container unknown to libcontainer is not an error.
func (r *Runtime) Recover(id string) error {
	c, err := libcontainer.Load(r.stateRoot, id)
	if err != nil {
		if errors.Is(err, libcontainer.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("load container %s: %w", id, err)
	}
	_ = c.Signal(syscall.SIGKILL)
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := c.Status()
		if err != nil || st == libcontainer.Stopped {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("container %s: still running 5s after SIGKILL", id)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := c.Destroy(); err != nil {
		return fmt.Errorf("destroy container %s: %w", id, err)
	}
	return nil
}

// List returns the ids of the containers libcontainer has state for.
func (r *Runtime) List() ([]string, error) {
	entries, err := os.ReadDir(r.stateRoot)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("list runtime state: %w", err)
	}
	var ids []string
	for _, e := range entries {
		if e.IsDir() {
			ids = append(ids, e.Name())
		}
	}
	return ids, nil
}
