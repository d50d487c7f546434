// Package fake is a backend in memory, for tests that exercise the
// builtins and the sandbox policy without containers: it needs no root,
// no cgroups and no network namespaces, and never touches the host.
//
// Containers move through the real state machine (backend.Next) with
// Docker's texts. What their programs do is scripted: SetProgram says
// what a command line prints and how it ends (by default it runs until
// stopped), SetExec what an exec returns. Tests drive a running container
// through the *Container value: Exit, Log, Listen. Networks, volumes and
// images are bookkeeping with Docker's errors; addresses are allocated
// from the networks' subnets while containers run.
//
// What the fake does not do: run anything, wait for a grace period (Stop
// kills at once a program that does not trap SIGTERM), read host files
// (bind sources are recorded, not checked; Load reads only what Save
// wrote).
package fake

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"syscall"

	"berth/runtime/backend"
)

// Program is what a container's main process does, scripted.
type Program struct {
	// Stdout and Stderr are logged when it starts, line by line, stdout
	// first.
	Stdout, Stderr string
	// Runs keeps it running until it is stopped, killed or told to Exit;
	// otherwise it exits at once with ExitCode.
	Runs     bool
	ExitCode int
	// Traps maps a signal to the exit code of its handler. Other signals
	// but SIGKILL are ignored, as by a PID 1 without handlers.
	Traps map[syscall.Signal]int
	// OOMKilled makes it exit at once, killed for memory (exit code 137).
	OOMKilled bool
	// NotFound makes its executable missing: start fails as Docker's does.
	NotFound bool
	// Listens are the TCP ports it listens on while it runs.
	Listens []int
}

// Backend is the fake backend. Its zero value is not usable: use New.
type Backend struct {
	images *Images
	host   *Host

	mu         sync.Mutex
	containers map[string]*Container // by id, until removed
	networks   map[string]*netRecord // by stored name
	volumes    map[string]*volRecord // by stored name
	programs   map[string]Program    // by command line
	execs      map[string]execScript // by command line
	nextNet    int                   // picks the next automatic subnet
	nextPid    int
	nextSeq    int // creation order of containers
}

type execScript struct {
	res backend.ExecResult
	err error
}

var _ backend.Backend = (*Backend)(nil)

// New returns an empty fake backend with the busybox image.
func New() *Backend {
	b := &Backend{
		host:       newHost(),
		containers: map[string]*Container{},
		networks:   map[string]*netRecord{},
		volumes:    map[string]*volRecord{},
		programs:   map[string]Program{},
		execs:      map[string]execScript{},
		nextPid:    1000,
	}
	b.images = newImages(b)
	return b
}

func (b *Backend) Name() string           { return "fake" }
func (b *Backend) Images() backend.Images { return b.images }
func (b *Backend) Host() backend.Host     { return b.host }

// FakeHost is the fake host, for tests that set its CPUs or look at its
// veth pairs.
func (b *Backend) FakeHost() *Host { return b.host }

// GC has nothing to collect: the fake leaves nothing behind.
func (b *Backend) GC(ctx context.Context) (backend.GCReport, error) {
	return backend.GCReport{}, nil
}

// Close fails when containers are left: they would be leaks of a real
// backend, whose sandboxes must all be closed first.
func (b *Backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n := len(b.containers); n > 0 {
		return fmt.Errorf("fake backend closed with %d containers left", n)
	}
	return nil
}

// SetProgram scripts the main process of containers whose command line
// (entrypoint and cmd, joined by spaces) is cmdline.
func (b *Backend) SetProgram(cmdline string, p Program) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.programs[cmdline] = p
}

// SetExec scripts what exec of cmdline (joined by spaces) returns.
func (b *Backend) SetExec(cmdline string, r backend.ExecResult) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.execs[cmdline] = execScript{res: r}
}

// SetExecError scripts exec of cmdline to fail with err.
func (b *Backend) SetExecError(cmdline string, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.execs[cmdline] = execScript{err: err}
}

func (b *Backend) program(args []string) Program {
	b.mu.Lock()
	defer b.mu.Unlock()
	if p, ok := b.programs[strings.Join(args, " ")]; ok {
		return p
	}
	return Program{Runs: true}
}

func (b *Backend) exec(args []string) (backend.ExecResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := b.execs[strings.Join(args, " ")]
	if !ok {
		return backend.ExecResult{}, fmt.Errorf("fake: no result scripted for exec %q (Backend.SetExec scripts one)", args)
	}
	return s.res, s.err
}

// Containers lists the containers not yet removed, oldest first.
func (b *Backend) Containers() []*Container {
	b.mu.Lock()
	list := make([]*Container, 0, len(b.containers))
	for _, c := range b.containers {
		list = append(list, c)
	}
	b.mu.Unlock()
	slices.SortFunc(list, func(x, y *Container) int { return x.seq - y.seq })
	return list
}

func (b *Backend) forget(c *Container) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.containers, c.id)
}

func (b *Backend) pid() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.nextPid++
	return b.nextPid
}

// CreateContainer validates the spec, finds the image and resolves the
// scenario's names through the scope in the engine's order.
func (b *Backend) CreateContainer(ctx context.Context, req backend.CreateRequest) (backend.Container, error) {
	cs := req.Spec
	if err := cs.Validate(b.host.Info()); err != nil {
		return nil, err
	}
	img, err := b.images.Get(ctx, cs.Image)
	if err != nil {
		return nil, err
	}
	cfg, err := backend.MergeImageConfig(cs, img.Config)
	if err != nil {
		return nil, err
	}
	name, err := req.Scope.ClaimName(cs.Name)
	if err != nil {
		return nil, err
	}
	cs = cfg.Apply(cs)
	c := newContainer(b, req, cs, img, name, cfg)
	if err := c.resolveNetworking(ctx); err != nil {
		return nil, err
	}
	if err := c.resolveMounts(ctx); err != nil {
		return nil, err
	}
	c.hostname = c.defaultHostname()
	b.mu.Lock()
	b.nextSeq++
	c.seq = b.nextSeq
	b.containers[c.id] = c
	b.mu.Unlock()
	return c, nil
}

// usersOf lists the ids of the containers (not removed) that mount the
// stored volume name.
func (b *Backend) usersOf(name string) []string {
	var ids []string
	for _, c := range b.Containers() {
		if slices.ContainsFunc(c.mounts, func(m mount) bool { return m.Stored == name }) {
			ids = append(ids, c.id)
		}
	}
	return ids
}
