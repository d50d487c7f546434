// Package engine is the embedded backend (backend.Backend): containers
// over the image store, libcontainer, the log drivers and the network
// manager, run as children of this process. The scenario's rules (names
// scoped to a sandbox, close order, waits) are backend.Sandboxes', above
// it; whatever a killed berth process left behind is found by GC through
// the records kept on disk.
package engine

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"berth/runtime/backend"
	"berth/runtime/container"
	"berth/runtime/containerdir"
	"berth/runtime/image"
	"berth/runtime/logdriver"
	"berth/runtime/logdriver/drivers"
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
	// Offline: pulls and pushes contact no registry off this machine
	// (they fail at once, naming the image), as tests and CI need.
	Offline bool
	// LogDrivers are the log drivers containers can use; nil means all of
	// berth's (drivers.Registry()). Tests inject failing or slow drivers here.
	LogDrivers *logdriver.Registry
}

var (
	_ backend.Backend   = (*Engine)(nil)
	_ backend.Container = (*Container)(nil)
)

// Engine owns the containers created by this process.
type Engine struct {
	root    string
	images  *image.Store
	volumes *volume.Store
	nets    *network.Manager
	runtime *container.Runtime
	dirs    containerdir.Dirs
	owner   store.Owner
	host    spec.Host
	// hostMemory is the machine's memory: stats' limit when none is set.
	hostMemory uint64
	logs       *logdriver.Registry

	mu      sync.Mutex
	records map[string]network.Record // by id: the networks this engine made or found
	dns     network.DNSTables         // by the file's top-level sandbox

	warnMu   sync.Mutex
	warnings io.Writer
}

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
	dirs := containerdir.New(root)
	for _, dir := range []string{root, dirs.Path()} {
		if err := os.MkdirAll(dir, 0o711); err != nil {
			return nil, fmt.Errorf("create %s: %w", dir, err)
		}
	}
	images, err := image.Open(filepath.Join(root, "images"))
	if err != nil {
		return nil, err
	}
	images.SetOffline(opts.Offline)
	volumes, err := volume.Open(filepath.Join(root, "volumes"))
	if err != nil {
		return nil, err
	}
	rt, err := container.NewRuntime(filepath.Join(root, "runc"))
	if err != nil {
		return nil, err
	}
	o, err := store.Self()
	if err != nil {
		return nil, err
	}
	nets, err := network.Open(filepath.Join(root, "networks"), o.String(), func(tag string) bool {
		o, ok := parseOwnerTag(tag)
		return ok && o.Alive()
	})
	if err != nil {
		return nil, err
	}
	return &Engine{
		root:       root,
		nets:       nets,
		images:     images,
		volumes:    volumes,
		runtime:    rt,
		dirs:       dirs,
		owner:      o,
		host:       container.Host(),
		hostMemory: container.HostMemory(),
		logs:       logDrivers(opts.LogDrivers),
		records:    map[string]network.Record{},
		warnings:   cmp.Or[io.Writer](opts.Warnings, os.Stderr),
	}, nil
}

func logDrivers(r *logdriver.Registry) *logdriver.Registry {
	if r == nil {
		return drivers.Registry()
	}
	return r
}

// warnf writes one warning line.
func (e *Engine) warnf(format string, args ...any) {
	e.warnMu.Lock()
	defer e.warnMu.Unlock()
	fmt.Fprintf(e.warnings, "berth: warning: "+format+"\n", args...)
}

// Root is the engine's root directory.
func (e *Engine) Root() string { return e.root }

// Name is the backend's name for --backend.
func (e *Engine) Name() string { return "engine" }

// Images is the image store, as the seam shows it.
func (e *Engine) Images() backend.Images { return images{e.images} }

// ImageStore is the image store itself, for the command line and the
// benchmarks.
func (e *Engine) ImageStore() *image.Store { return e.images }

// Close releases the engine. The sandboxes must be closed first
// (backend.Sandboxes.Close): Close does not remove containers.
func (e *Engine) Close() error {
	e.nets.Close()
	return nil
}

func (e *Engine) containerDir(id string) string { return e.dirs.Dir(id) }
