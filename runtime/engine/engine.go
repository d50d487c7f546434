// Package engine is the one facade that the Starlark layer and the command
// line use: sandboxes of containers (and, later, networks and volumes) over
// the image store, libcontainer and the log drivers. Everything a sandbox
// creates it removes again, in reverse order, and whatever a killed berth
// process left behind is found by GC through the records kept on disk.
package engine

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"golang.org/x/sys/unix"

	"berth/runtime/container"
	"berth/runtime/image"
	"berth/runtime/network"
	"berth/runtime/spec"
	"berth/runtime/store"
	"berth/runtime/volume"
)

// DefaultRoot is where berth keeps images, volumes and state.
const DefaultRoot = "/var/lib/berth"

// Options configure an Engine.
type Options struct {
	Root string // default DefaultRoot
	// Warnings receives what berth must tell but that fails nothing, such
	// as a container's log losing messages; nil means os.Stderr.
	Warnings io.Writer
}

// Engine owns the containers created by this process.
type Engine struct {
	root    string
	images  *image.Store
	volumes *volume.Store
	nets    *network.Manager
	runtime *container.Runtime
	owner   owner
	host    spec.Host

	mu        sync.Mutex
	sandboxes map[*Sandbox]struct{}

	warnMu   sync.Mutex
	warnings io.Writer
}

// owner identifies a live berth process; pid+start time survive PID reuse.
type owner struct {
	Pid       int    `json:"pid"`
	StartTime uint64 `json:"start_time"`
}

func (o owner) alive() bool { return store.ProcessAlive(o.Pid, o.StartTime) }

// Open prepares the root directory and returns an engine.
func Open(opts Options) (*Engine, error) {
	root := opts.Root
	if root == "" {
		root = DefaultRoot
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("root %q: %w", opts.Root, err)
	}
	if os.Geteuid() != 0 {
		return nil, errors.New("berth runs containers and needs root: run it as root (sudo)")
	}
	for _, dir := range []string{root, containersDir(root)} {
		if err := os.MkdirAll(dir, 0o711); err != nil {
			return nil, fmt.Errorf("create %s: %w", dir, err)
		}
	}
	images, err := image.Open(filepath.Join(root, "images"))
	if err != nil {
		return nil, err
	}
	volumes, err := volume.Open(filepath.Join(root, "volumes"))
	if err != nil {
		return nil, err
	}
	rt, err := container.NewRuntime(filepath.Join(root, "runc"))
	if err != nil {
		return nil, err
	}
	start, err := store.ProcessStartTime(os.Getpid())
	if err != nil {
		return nil, fmt.Errorf("identify this process: %w", err)
	}
	o := owner{Pid: os.Getpid(), StartTime: start}
	nets, err := network.Open(filepath.Join(root, "networks"), o.tag(), func(tag string) bool {
		o, ok := parseOwnerTag(tag)
		return ok && o.alive()
	})
	if err != nil {
		return nil, err
	}
	return &Engine{
		root:      root,
		nets:      nets,
		images:    images,
		volumes:   volumes,
		runtime:   rt,
		owner:     o,
		host:      hostInfo(),
		sandboxes: map[*Sandbox]struct{}{},
		warnings:  cmp.Or[io.Writer](opts.Warnings, os.Stderr),
	}, nil
}

// warnf writes one warning line.
func (e *Engine) warnf(format string, args ...any) {
	e.warnMu.Lock()
	defer e.warnMu.Unlock()
	fmt.Fprintf(e.warnings, "berth: warning: "+format+"\n", args...)
}

// Root is the engine's root directory.
func (e *Engine) Root() string { return e.root }

// Images is the image store.
func (e *Engine) Images() *image.Store { return e.images }

// Close removes every sandbox still open.
func (e *Engine) Close() error {
	e.mu.Lock()
	open := make([]*Sandbox, 0, len(e.sandboxes))
	for sb := range e.sandboxes {
		open = append(open, sb)
	}
	e.mu.Unlock()
	// Cases before their files: a file's default bridge and volumes go
	// after the containers of its cases.
	slices.SortFunc(open, func(a, b *Sandbox) int { return b.depth() - a.depth() })
	var errs []error
	for _, sb := range open {
		errs = append(errs, sb.Close())
	}
	return errors.Join(errs...)
}

func containersDir(root string) string { return filepath.Join(root, "containers") }

func (e *Engine) containerDir(id string) string { return filepath.Join(containersDir(e.root), id) }

// hostInfo reads the CPUs this process may use, for --cpus and
// --cpuset-cpus checks.
func hostInfo() spec.Host {
	h := spec.Host{NumCPU: runtime.NumCPU()}
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err == nil {
		for i := 0; i < 1024; i++ {
			if set.IsSet(i) {
				h.CPUs = append(h.CPUs, i)
			}
		}
	}
	return h
}
