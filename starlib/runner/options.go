package runner

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"time"

	"go.starlark.net/lib/json"
	starlarktime "go.starlark.net/lib/time"
	"go.starlark.net/starlark"

	"berth/starlib/args"
	"berth/starlib/assert"
	"berth/starlib/cmpmod"
	"berth/starlib/host"
)

// Options say what to run and how. The zero value of every field but
// NewSandbox is usable.
type Options struct {
	// Paths are the files and directories to run (Test only); none means
	// the current directory.
	Paths []string
	// Run, if set, selects the cases whose ID it matches.
	Run *regexp.Regexp
	// Parallel is how many files run at once; 0 means runtime.NumCPU().
	Parallel int
	// Timeout bounds each case (and each file's top level); 0 means none.
	Timeout time.Duration
	// TeardownTimeout bounds the closing of a case's (or a top level's)
	// sandbox; 0 means DefaultTeardownTimeout.
	TeardownTimeout time.Duration
	// Update makes assert.golden rewrite golden files.
	Update bool
	// Verbose shows passing cases' print output and skipped cases.
	Verbose bool
	// Predeclared are the globals of every file: CoreModules plus the
	// backend's builtins.
	Predeclared starlark.StringDict
	// NewSandbox makes the sandbox of a file's top level or of a case.
	NewSandbox SandboxFactory
	// Stdout receives the human report; nil leaves it out.
	Stdout io.Writer
	// Reporters receive the run's events too (JUnit, JSON, TAP, ...).
	Reporters []Reporter
	// Count runs each file that many times, one run after the other;
	// 0 means once. Repeats are named apart: see CaseResult.Run.
	Count int
	// FailFast starts no case and no file after a case has failed.
	FailFast bool
	// Shard, when Total > 0, runs only the files of shard Index
	// (1-based) of Total: see ShardOf.
	Shard Shard
	// KeepFailed keeps what a failed case made (-work) when its sandbox
	// can: see Keeper. The file's top level is kept with it.
	KeepFailed bool
}

// Keeper is a Sandbox that can be left as it is instead of closed, for
// someone to look at (-work). Keep takes the place of Close: it returns
// what is kept and how to look at it.
type Keeper interface {
	Keep(ctx context.Context) (string, error)
}

// SandboxFactory makes a sandbox. label names what it is for
// ("dir/file.star" for a file's top level, "dir/file.star::test_x" for a
// case), for the backend to use in records and diagnostics; parent is the
// sandbox lookups continue in: the file's top level for a case, nil for
// the top level itself.
type SandboxFactory func(ctx context.Context, label string, parent Sandbox) (Sandbox, error)

// Sandbox is the backend side of a case: everything the case creates
// (containers, networks, volumes) belongs to it.
type Sandbox interface {
	// Bind attaches the sandbox to th, before th runs, so that the
	// container builtins find it.
	Bind(th *starlark.Thread)
	// Diagnostics returns the last log lines and the state of each
	// container, shown under a failure; ctx bounds the reading.
	Diagnostics(ctx context.Context) string
	// Close removes everything the sandbox created. It is called exactly
	// once, whether the case passed, failed, timed out or was interrupted.
	// It must return soon after ctx ends, reporting what it left behind.
	Close(ctx context.Context) error
}

// CoreModules returns the predeclared modules that need no container:
// assert (and expect), cmp, host, json and time.
func CoreModules() starlark.StringDict {
	return starlark.StringDict{
		"assert": assert.Module,
		"expect": assert.Expect,
		"cmp":    cmpmod.Module,
		"host":   host.Module,
		"json":   json.Module,
		"time":   starlarktime.Module,
		"skip":   skipBuiltin,
	}
}

// skipBuiltin is skip(reason): it stops the case, which is reported as
// skipped with the reason; at a file's top level it skips the file.
var skipBuiltin = starlark.NewBuiltin("skip", func(_ *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var reason string
	if err := args.Unpack(b.Name(), a, kw, "reason", &reason); err != nil {
		return nil, err
	}
	if reason == "" {
		return nil, fmt.Errorf("%s: reason is empty: say why the case is skipped", b.Name())
	}
	return nil, &skipError{reason: reason}
})
