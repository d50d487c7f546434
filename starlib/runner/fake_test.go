package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"go.starlark.net/starlark"

	"berth/starlib/session"
)

// fakeEngine is a test double of the engine's SandboxFactory: it records
// which sandboxes were made, bound and closed, and offers builtins that
// report which sandbox their thread is bound to.
type fakeEngine struct {
	mu        sync.Mutex
	created   []string          // labels, in creation order
	parents   map[string]string // label → its parent's label ("" for none)
	closed    map[string]int
	kept      map[string]int      // label → Keep calls (-work)
	bound     map[string][]string // label → names of the threads bound to it
	marks     []string            // "label: value" from mark()
	failNew   string              // label whose creation fails
	failClose string              // label whose Close fails
	stuck     string              // label whose Diagnostics and Close block until release closes
	release   chan struct{}
}

func newFakeEngine() *fakeEngine {
	return &fakeEngine{closed: make(map[string]int), kept: make(map[string]int), bound: make(map[string][]string), parents: make(map[string]string)}
}

type fakeSandbox struct {
	e     *fakeEngine
	label string
}

const fakeKey = "fake.sandbox"

func (e *fakeEngine) newSandbox(_ context.Context, label string, parent Sandbox) (Sandbox, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if label == e.failNew {
		return nil, errors.New("no room for " + label)
	}
	e.created = append(e.created, label)
	if parent != nil {
		e.parents[label] = parent.(*fakeSandbox).label
	} else {
		e.parents[label] = ""
	}
	return &fakeSandbox{e: e, label: label}, nil
}

func (s *fakeSandbox) Bind(th *starlark.Thread) {
	th.SetLocal(fakeKey, s)
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	s.e.bound[s.label] = append(s.e.bound[s.label], th.Name)
}

func (s *fakeSandbox) Diagnostics(context.Context) string {
	if s.label == s.e.stuck {
		<-s.e.release
	}
	return "container web of " + s.label + ": exited (1)\n  last log line"
}

func (s *fakeSandbox) Keep(context.Context) (string, error) {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	s.e.kept[s.label]++
	return "container web of " + s.label + ": nsenter here\n", nil
}

func (s *fakeSandbox) Close(context.Context) error {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	s.e.closed[s.label]++
	if s.label == s.e.stuck {
		s.e.mu.Unlock()
		<-s.e.release // ignores its context, as a buggy engine would
		s.e.mu.Lock()
	}
	if s.label == s.e.failClose {
		return errors.New("container web would not die")
	}
	return nil
}

// builtins returns the globals of the test scripts: the core modules and
//
//	mark(value)  records "sandbox label: value"
//	block()      waits until the session's context is done
//	interrupt()  calls the cancel function given to the engine, then blocks
//	explode()    panics
//	info()       returns the session's [file, suite_root, update]
func (e *fakeEngine) builtins(interrupt context.CancelFunc) starlark.StringDict {
	predeclared := CoreModules()
	predeclared["mark"] = starlark.NewBuiltin("mark", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var v starlark.Value
		if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &v); err != nil {
			return nil, err
		}
		label := "<unbound>"
		if s, ok := th.Local(fakeKey).(*fakeSandbox); ok {
			label = s.label
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		text, ok := starlark.AsString(v)
		if !ok {
			text = v.String()
		}
		e.marks = append(e.marks, label+": "+text)
		return starlark.None, nil
	})
	predeclared["block"] = starlark.NewBuiltin("block", func(th *starlark.Thread, b *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
		<-session.Context(th).Done()
		return nil, fmt.Errorf("%s: %w", b.Name(), session.Context(th).Err())
	})
	predeclared["interrupt"] = starlark.NewBuiltin("interrupt", func(th *starlark.Thread, b *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
		interrupt()
		<-session.Context(th).Done()
		return nil, fmt.Errorf("%s: %w", b.Name(), session.Context(th).Err())
	})
	predeclared["explode"] = starlark.NewBuiltin("explode", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
		panic("kaboom")
	})
	predeclared["info"] = starlark.NewBuiltin("info", func(th *starlark.Thread, _ *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
		s := session.Get(th)
		return starlark.NewList([]starlark.Value{starlark.String(s.File), starlark.String(s.SuiteRoot), starlark.Bool(s.Update)}), nil
	})
	return predeclared
}

// options returns runner options wired to the fake engine.
func (e *fakeEngine) options(interrupt context.CancelFunc) Options {
	if interrupt == nil {
		interrupt = func() {}
	}
	return Options{Parallel: 1, Predeclared: e.builtins(interrupt), NewSandbox: e.newSandbox}
}

// checkAllClosedOnce fails t unless every sandbox made was closed once,
// or kept (-work) instead.
func (e *fakeEngine) checkAllClosedOnce(t *testing.T) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, label := range e.created {
		if n := e.closed[label] + e.kept[label]; n != 1 {
			t.Errorf("sandbox %q closed or kept %d times, want once", label, n)
		}
	}
	for label := range e.closed {
		found := false
		for _, c := range e.created {
			found = found || c == label
		}
		if !found {
			t.Errorf("closed a sandbox %q that was never created", label)
		}
	}
}

func (e *fakeEngine) createdLabels() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.created...)
}

func (e *fakeEngine) markList() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := append([]string(nil), e.marks...)
	return out
}

// writeTree writes files (path → content) under a fresh directory and
// returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(files[name]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
