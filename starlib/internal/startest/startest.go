// Package startest runs Starlark snippets and testdata/*.star files through
// the runner, for the tests of the starlib packages: a script's assertions
// are what is under test, so they run exactly as they would for a user.
package startest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"go.starlark.net/starlark"

	"berth/starlib/runner"
)

// nopSandbox stands in for a backend's: these packages create no containers.
type nopSandbox struct{}

func (nopSandbox) Bind(*starlark.Thread)              {}
func (nopSandbox) Diagnostics(context.Context) string { return "" }
func (nopSandbox) Close(context.Context) error        { return nil }

// Options returns runner options with the core modules plus extra as
// globals, and a sandbox that does nothing.
func Options(extra starlark.StringDict) runner.Options {
	predeclared := runner.CoreModules()
	for k, v := range extra {
		predeclared[k] = v
	}
	return runner.Options{
		Parallel:    1,
		Predeclared: predeclared,
		NewSandbox: func(context.Context, string, runner.Sandbox) (runner.Sandbox, error) {
			return nopSandbox{}, nil
		},
	}
}

// PassAll runs every .star file under dir and fails t unless each case
// passes, showing the report. It returns the summary.
func PassAll(t *testing.T, dir string, opts runner.Options) runner.Summary {
	t.Helper()
	var out bytes.Buffer
	opts.Paths = []string{dir}
	opts.Stdout = &out
	sum, err := runner.Test(context.Background(), opts)
	if err != nil {
		t.Fatalf("run %s: %v\n%s", dir, err, out.String())
	}
	if sum.Failed > 0 || sum.Passed == 0 {
		t.Fatalf("want every case of %s to pass, got:\n%s", dir, out.String())
	}
	return sum
}

// Fail writes src to a file named name (say "case.star") in a fresh
// directory, runs it, and returns the result of its one failing case; t
// fails unless exactly one case failed.
func Fail(t *testing.T, name, src string, opts runner.Options) runner.CaseResult {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	opts.Paths = []string{path}
	opts.Stdout = &out
	sum, err := runner.Test(context.Background(), opts)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if sum.Failed != 1 {
		t.Fatalf("want exactly one failing case, got:\n%s", out.String())
	}
	for _, c := range sum.Cases {
		if c.Status == runner.Failed {
			return c
		}
	}
	t.Fatalf("Failed == 1 but no case has status FAIL:\n%s", out.String())
	return runner.CaseResult{}
}
