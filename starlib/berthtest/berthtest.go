// Package berthtest runs berth scenario suites from `go test`: each
// scenario file is a subtest of the calling test and each case a subtest
// of its file, with the same sandboxes, timeouts and failure reports as
// `berth test`.
//
//	func TestScenarios(t *testing.T) {
//		berthtest.Run(t, "scenarios/", berthtest.WithBackend(openEngine))
//	}
//
// # The backend
//
// starlib sees only the backend seam (runtime/backend), never an engine,
// so the caller says what runs the containers, as cmd/berth's --backend
// does: WithBackend for one call, or Use once (in TestMain or an init)
// for every Run of the test binary, much as a database/sql driver
// registers itself. For berth's embedded engine the function is
//
//	func() (backend.Backend, error) {
//		return engine.Open(engine.Options{Root: "/var/tmp/berth-test"})
//	}
//
// (engine.Open needs root; a nil *engine.Engine must not be returned as a
// non-nil interface: return nil, err on error). Run closes the backend
// when the suite is done.
//
// Cases run while their file's subtest is open; their subtests report the
// outcome (an error with the call stack and the sandbox's diagnostics, a
// skip with its reason, the print output as a log) as each case ends, so
// a subtest's time is not the case's: the case's own duration is in its
// log.
package berthtest

import (
	"errors"
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	"berth/runtime/backend"
	"berth/starlib/harness"
	"berth/starlib/runner"
)

// Opener opens the backend a suite runs on.
type Opener func() (backend.Backend, error)

var (
	defaultMu     sync.Mutex
	defaultOpener Opener
)

// Use sets the backend every Run without WithBackend uses.
func Use(open Opener) {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	defaultOpener = open
}

// Option changes how Run runs the suite.
type Option func(*config)

type config struct {
	open     Opener
	run      string
	timeout  time.Duration
	parallel int
}

// WithBackend runs the suite on the backend open returns.
func WithBackend(open Opener) Option { return func(c *config) { c.open = open } }

// WithRun runs only the cases whose ID ("path/file.star::test_name")
// matches the regular expression, as berth test -run.
func WithRun(regex string) Option { return func(c *config) { c.run = regex } }

// WithTimeout bounds each case, as berth test -timeout (default 10m).
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithParallel runs n files at once (default: the number of CPUs).
func WithParallel(n int) Option { return func(c *config) { c.parallel = n } }

// Run runs the scenario files under path (a file or a directory, as
// berth test takes) as subtests of t. A suite that cannot run (no backend,
// no files, a bad WithRun) fails t.
func Run(t *testing.T, path string, opts ...Option) runner.Summary {
	t.Helper()
	c := config{timeout: 10 * time.Minute}
	defaultMu.Lock()
	c.open = defaultOpener
	defaultMu.Unlock()
	for _, o := range opts {
		o(&c)
	}
	if c.open == nil {
		t.Fatal("berthtest: no backend: pass berthtest.WithBackend(open) or call berthtest.Use(open) first")
	}
	ropts := runner.Options{Paths: []string{path}, Timeout: c.timeout, Parallel: c.parallel}
	if c.run != "" {
		re, err := regexp.Compile(c.run)
		if err != nil {
			t.Fatalf("berthtest: WithRun(%q): %v", c.run, err)
		}
		ropts.Run = re
	}
	b, err := c.open()
	if err != nil {
		t.Fatalf("berthtest: open the backend: %v", err)
	}
	sbs := backend.NewSandboxes(b)
	defer func() {
		if err := errors.Join(sbs.Close(), b.Close()); err != nil {
			t.Errorf("berthtest: remove what the suite created (berth gc retries): %v", err)
		}
	}()
	wired := harness.Options(sbs)
	ropts.Predeclared, ropts.NewSandbox = wired.Predeclared, wired.NewSandbox
	rep := newSubtests(t)
	ropts.Reporters = []runner.Reporter{rep}
	ctx := t.Context()
	sum, err := runner.Test(ctx, ropts)
	rep.wait()
	if err != nil {
		t.Errorf("berthtest: %v", err)
	}
	return sum
}

// subtests is a runner.Reporter that turns files and cases into subtests:
// a goroutine per running file holds the file's t.Run open and runs a
// subtest per case it is sent.
type subtests struct {
	t     *testing.T
	wg    sync.WaitGroup
	files map[string]chan runner.CaseResult
}

func newSubtests(t *testing.T) *subtests {
	return &subtests{t: t, files: make(map[string]chan runner.CaseResult)}
}

func (s *subtests) FileStart(file string) {
	// Buffered: the runner waits on a full channel, never on a test.
	ch := make(chan runner.CaseResult, 64)
	s.files[file] = ch
	s.wg.Go(func() {
		s.t.Run(file, func(t *testing.T) {
			for r := range ch {
				t.Run(r.CaseName(), func(t *testing.T) { report(t, r) })
			}
		})
	})
}

func report(t *testing.T, r runner.CaseResult) {
	if r.Output != "" {
		t.Logf("print output:\n%s", r.Output)
	}
	switch r.Status {
	case runner.Failed:
		msg := fmt.Sprintf("%s (%.2fs)\n%s", r.ID(), r.Duration.Seconds(), r.Failure)
		if r.Diagnostics != "" {
			msg += "\nsandbox:\n" + r.Diagnostics
		}
		t.Error(msg)
	case runner.Skipped:
		t.Skip(r.SkipReason)
	default:
		t.Logf("%s (%.2fs)", r.ID(), r.Duration.Seconds())
	}
}

func (s *subtests) CaseStart(string, string, int)      {}
func (s *subtests) Output(string, string, int, string) {}

func (s *subtests) CaseDone(r runner.CaseResult) { s.files[r.File] <- r }

func (s *subtests) FileDone(file string, _ time.Duration) {
	close(s.files[file])
	delete(s.files, file)
}

func (s *subtests) RunDone(runner.Summary) error { return nil }

func (s *subtests) wait() { s.wg.Wait() }

var _ runner.Reporter = (*subtests)(nil)
