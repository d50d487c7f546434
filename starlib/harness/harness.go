// Package harness assembles the scenario language: the predeclared globals
// of every file (core modules, container builtins, image module) and the
// sandbox factory that gives each file and case its own sandbox over a
// backend (backend.Sandboxes).
package harness

import (
	"context"
	"fmt"
	"sync"

	"go.starlark.net/starlark"

	"berth/runtime/backend"
	"berth/starlib/builtins"
	"berth/starlib/capture"
	"berth/starlib/container"
	"berth/starlib/image"
	"berth/starlib/network"
	"berth/starlib/registry"
	"berth/starlib/runner"
	"berth/starlib/volume"
)

// Registry describes every name Predeclared provides (and Starlark's print
// and fail), from the docs.go of each package: for berth help, the
// reference and the REPL.
var Registry = sync.OnceValue(func() *builtins.Registry {
	return builtins.MustNew(container.Docs, runner.CoreDocs(), image.Docs, image.RegistryDocs, network.Docs, registry.Docs, volume.Docs, capture.Docs)
})

// Predeclared returns the globals of every scenario file.
func Predeclared() starlark.StringDict {
	g := runner.CoreModules()
	for k, v := range container.Globals() {
		g[k] = v
	}
	g["image"] = image.NewModule(func(th *starlark.Thread) (backend.Images, error) {
		sb, err := container.SandboxOf(th, "berth")
		if err != nil {
			return nil, err
		}
		return sb.Images(), nil
	})
	g["volume"] = volume.Module
	g["network"] = network.Module
	g["registry"] = registry.Module
	g["capture"] = capture.Module
	return g
}

// Options returns runner options over the sandboxes sbs; callers fill in
// the rest, and close sbs (then its backend) when the run ends.
func Options(sbs *backend.Sandboxes) runner.Options {
	return runner.Options{Predeclared: Predeclared(), NewSandbox: NewFactory(sbs)}
}

// NewFactory returns a runner.SandboxFactory over sbs. A case's sandbox
// has its file's top-level sandbox as parent, as the runner passes it, so
// cases see the containers the top level made.
func NewFactory(sbs *backend.Sandboxes) runner.SandboxFactory {
	return func(_ context.Context, label string, parent runner.Sandbox) (runner.Sandbox, error) {
		var p backend.Sandbox
		if parent != nil {
			ps, ok := parent.(*sandbox)
			if !ok {
				return nil, fmt.Errorf("sandbox %s: its parent (%T) was not made by this factory", label, parent)
			}
			p = ps.Sandbox
		}
		sb, err := sbs.New(label, p)
		if err != nil {
			return nil, err
		}
		return &sandbox{Sandbox: sb}, nil
	}
}

// sandbox adapts a backend sandbox to the runner: Bind for the builtins,
// Close bounded by the runner's teardown deadline.
type sandbox struct {
	backend.Sandbox
}

func (s *sandbox) Bind(th *starlark.Thread) { container.Bind(th, s.Sandbox) }

func (s *sandbox) Close(ctx context.Context) error { return s.Sandbox.CloseContext(ctx) }

// Keep leaves the sandbox as it is for -work: runner.Keeper.
func (s *sandbox) Keep(context.Context) (string, error) { return s.Sandbox.Keep(), nil }
