// Package faketest runs scenario snippets and files on the fake backend
// (runtime/backend/fake), for the builtins' own tests: argument parsing,
// conversions, errors and the shapes of values, without root, containers
// or a network namespace.
package faketest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"berth/runtime/backend"
	"berth/runtime/backend/fake"
	"berth/starlib/harness"
	"berth/starlib/runner"
)

// Env is a fake backend and the runner options wired to it.
type Env struct {
	Backend *fake.Backend
	Options runner.Options
	t       *testing.T
}

// New returns a fake backend with the harness's globals over it. When the
// test ends it fails the test if a sandbox was left open or a container
// left behind.
func New(t *testing.T) *Env {
	t.Helper()
	b := fake.New()
	sbs := backend.NewSandboxes(b)
	opts := harness.Options(sbs)
	opts.Parallel = 1
	opts.Verbose = true
	t.Cleanup(func() {
		if err := sbs.Close(); err != nil {
			t.Errorf("close sandboxes: %v", err)
		}
		if err := b.Close(); err != nil {
			t.Errorf("left behind: %v", err)
		}
	})
	return &Env{Backend: b, Options: opts, t: t}
}

// Run runs the files or directories and returns the summary and report.
func (env *Env) Run(paths ...string) (runner.Summary, string) {
	env.t.Helper()
	var out bytes.Buffer
	opts := env.Options
	opts.Paths = paths
	opts.Stdout = &out
	sum, err := runner.Test(context.Background(), opts)
	if err != nil {
		env.t.Fatalf("run %v: %v\n%s", paths, err, out.String())
	}
	return sum, out.String()
}

// PassAll runs the files or directories and fails the test unless every
// case passed.
func (env *Env) PassAll(paths ...string) {
	env.t.Helper()
	sum, report := env.Run(paths...)
	if !sum.OK() || sum.Passed == 0 || sum.Skipped > 0 {
		env.t.Fatalf("want every case to pass, got:\n%s", report)
	}
}

// Failure runs src as the top level of a file and returns the failure
// text; the test fails unless it failed.
func (env *Env) Failure(src string) string {
	env.t.Helper()
	return env.FailedCase(src).Failure
}

// FailedCase runs src as the top level of a file and returns its result;
// the test fails unless it failed.
func (env *Env) FailedCase(src string) runner.CaseResult {
	env.t.Helper()
	path := filepath.Join(env.t.TempDir(), "case.star")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		env.t.Fatal(err)
	}
	sum, report := env.Run(path)
	if sum.Failed != 1 || len(sum.Cases) != 1 {
		env.t.Fatalf("want the file to fail, got:\n%s", report)
	}
	return sum.Cases[0]
}

// WantFailures runs each src and checks its failure contains want.
func (env *Env) WantFailures(tests []Failing) {
	env.t.Helper()
	for _, tt := range tests {
		env.t.Run(tt.Name, func(t *testing.T) {
			sub := &Env{Backend: env.Backend, Options: env.Options, t: t}
			if got := sub.Failure(tt.Src); !bytes.Contains([]byte(got), []byte(tt.Want)) {
				t.Errorf("failure text lacks %q; got:\n%s", tt.Want, got)
			}
		})
	}
}

// Failing is a snippet and the text its failure must contain.
type Failing struct{ Name, Src, Want string }
