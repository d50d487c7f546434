// Package container provides the scenario language's container globals:
//
//	run(image, cmd=None, **opts) -> Container     docker run (foreground unless detach=True)
//	create(image, cmd=None, **opts) -> Container  docker create
//	container(name_or_id) -> Container            look up a container of this sandbox
//	sleep(duration)                               "100ms", "2s", or a number of seconds
//
// and the Container type (see value.go). The builtins find the sandbox of
// the running case (a backend.Sandbox) in a thread-local set by Bind.
package container

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.starlark.net/starlark"

	"berth/runtime/backend"
	"berth/starlib/args"
	"berth/starlib/session"
)

const sandboxKey = "berth.sandbox"

// Bind makes sb the sandbox of th's builtins.
func Bind(th *starlark.Thread, sb backend.Sandbox) { th.SetLocal(sandboxKey, sb) }

// SandboxOf returns the sandbox bound to th; fn names the builtin in the error.
func SandboxOf(th *starlark.Thread, fn string) (backend.Sandbox, error) {
	sb, ok := th.Local(sandboxKey).(backend.Sandbox)
	if !ok || sb == nil {
		return nil, fmt.Errorf("%s: no sandbox on this thread (containers can only be made while a scenario runs)", fn)
	}
	return sb, nil
}

// Globals are the predeclared container builtins.
func Globals() starlark.StringDict {
	return starlark.StringDict{
		"run":       starlark.NewBuiltin("run", runBuiltin),
		"create":    starlark.NewBuiltin("create", createBuiltin),
		"container": starlark.NewBuiltin("container", lookupBuiltin),
		"sleep":     starlark.NewBuiltin("sleep", sleepBuiltin),
	}
}

func runBuiltin(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	sb, err := SandboxOf(th, b.Name())
	if err != nil {
		return nil, err
	}
	o, err := parseRunArgs(b.Name(), a, kw, true, scenarioDir(th))
	if err != nil {
		return nil, err
	}
	c, err := sb.Run(session.Context(th), o.spec, o.run)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return newValue(c), nil
}

func createBuiltin(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	sb, err := SandboxOf(th, b.Name())
	if err != nil {
		return nil, err
	}
	o, err := parseRunArgs(b.Name(), a, kw, false, scenarioDir(th))
	if err != nil {
		return nil, err
	}
	c, err := sb.Create(session.Context(th), o.spec)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return newValue(c), nil
}

func lookupBuiltin(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var ref string
	if err := args.Unpack(b.Name(), a, kw, "name_or_id", &ref); err != nil {
		return nil, err
	}
	sb, err := SandboxOf(th, b.Name())
	if err != nil {
		return nil, err
	}
	c, err := sb.Lookup(ref)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return newValue(c), nil
}

func sleepBuiltin(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var d args.Duration
	if err := args.Unpack(b.Name(), a, kw, "duration", &d); err != nil {
		return nil, err
	}
	if err := sleepCtx(session.Context(th), d.Std()); err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return starlark.None, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return errors.New("interrupted: " + context.Cause(ctx).Error())
	}
}

// scenarioDir is the directory of the .star file calling the builtin:
// relative bind sources are relative to it.
func scenarioDir(th *starlark.Thread) string {
	if f := session.CallerFile(th); f != "" {
		return filepath.Dir(f)
	}
	if wd, err := os.Getwd(); err == nil {
		return wd
	}
	return "/"
}

// SandboxOp is a builtin's work, given the context of the running case,
// the sandbox of the calling thread and the builtin's name.
type SandboxOp func(ctx context.Context, sb backend.Sandbox, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error)

// SandboxBuiltin makes a builtin of op for the other modules that act on
// the running case's sandbox (network, volume): it finds the sandbox and
// prefixes errors with the builtin's name.
func SandboxBuiltin(name string, op SandboxOp) *starlark.Builtin {
	return starlark.NewBuiltin(name, func(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
		sb, err := SandboxOf(th, b.Name())
		if err != nil {
			return nil, err
		}
		v, err := op(session.Context(th), sb, b.Name(), a, kw)
		if err != nil {
			if strings.HasPrefix(err.Error(), b.Name()+": ") {
				return nil, err // args.Unpack named the builtin already
			}
			return nil, fmt.Errorf("%s: %w", b.Name(), err)
		}
		return v, nil
	})
}
