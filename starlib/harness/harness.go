// Package harness assembles the scenario language: the predeclared globals
// of every file (core modules, container builtins, image module) and the
// sandbox factory that gives each file and case its own engine sandbox.
package harness

import (
	"context"
	"strings"
	"sync"

	"go.starlark.net/starlark"

	"berth/runtime/engine"
	rtimage "berth/runtime/image"
	"berth/starlib/builtins"
	"berth/starlib/container"
	"berth/starlib/image"
	"berth/starlib/network"
	"berth/starlib/runner"
	"berth/starlib/volume"
)

// Registry describes every name Predeclared provides (and Starlark's print
// and fail), from the docs.go of each package: for berth help, the
// reference and the REPL.
var Registry = sync.OnceValue(func() *builtins.Registry {
	return builtins.MustNew(container.Docs, runner.CoreDocs(), image.Docs, network.Docs, volume.Docs)
})

// Predeclared returns the globals of every scenario file.
func Predeclared() starlark.StringDict {
	g := runner.CoreModules()
	for k, v := range container.Globals() {
		g[k] = v
	}
	g["image"] = image.NewModule(func(th *starlark.Thread) (*rtimage.Store, error) {
		e, err := container.EngineOf(th)
		if err != nil {
			return nil, err
		}
		return e.Images(), nil
	})
	g["volume"] = volume.Module
	g["network"] = network.Module
	return g
}

// Options returns runner options wired to e; callers fill in the rest.
func Options(e *engine.Engine) runner.Options {
	return runner.Options{Predeclared: Predeclared(), NewSandbox: NewFactory(e)}
}

// NewFactory returns a runner.SandboxFactory over e. A case's sandbox
// ("file.star::test_x") has its file's top-level sandbox ("file.star") as
// parent, so cases see the containers the top level made.
func NewFactory(e *engine.Engine) runner.SandboxFactory {
	f := &factory{e: e, files: map[string]*engine.Sandbox{}}
	return f.new
}

type factory struct {
	e     *engine.Engine
	mu    sync.Mutex
	files map[string]*engine.Sandbox
}

func (f *factory) new(_ context.Context, label string) (runner.Sandbox, error) {
	file, isCase := caseFile(label)
	f.mu.Lock()
	defer f.mu.Unlock()
	if isCase {
		return &sandbox{Sandbox: f.e.NewSandbox(label, f.files[file])}, nil
	}
	sb := f.e.NewSandbox(label, nil)
	f.files[file] = sb
	return &sandbox{Sandbox: sb, forget: func() {
		f.mu.Lock()
		delete(f.files, file)
		f.mu.Unlock()
	}}, nil
}

// caseFile splits a case's label "file.star::test_x" into its file. The
// file's path may itself hold "::" (a directory "a::b"), so the case is
// what follows the last "::", and only when it is a plain name.
func caseFile(label string) (file string, isCase bool) {
	i := strings.LastIndex(label, "::")
	if i < 0 || strings.ContainsAny(label[i+2:], "/.") {
		return label, false
	}
	return label[:i], true
}

// sandbox adapts an engine sandbox to the runner.
type sandbox struct {
	*engine.Sandbox
	forget func()
}

func (s *sandbox) Bind(th *starlark.Thread) { container.Bind(th, s.Sandbox) }

func (s *sandbox) Close(ctx context.Context) error {
	if s.forget != nil {
		s.forget()
	}
	return s.Sandbox.CloseContext(ctx)
}
