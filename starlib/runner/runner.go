package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// ErrNoSandboxFactory is returned when Options.NewSandbox is nil.
var ErrNoSandboxFactory = errors.New("runner: Options.NewSandbox is nil")

// run is what the files of one Test or RunFile share.
type run struct {
	opts   *Options
	events *events
	failed atomic.Bool // a case failed: -failfast starts nothing more
}

func (r *run) stopping() bool { return r.opts.FailFast && r.failed.Load() }

// Test runs the scenario files found under opts.Paths, several files at
// once, and reports each case and the summary to opts.Stdout and
// opts.Reporters. Failing cases are not an error: see Summary.Failed. The
// error is for what stopped the run from happening (no files, a bad path)
// or cutting it short (ctx cancelled; the Summary is still complete for
// what ran), or a report that could not be written.
func Test(ctx context.Context, opts Options) (Summary, error) {
	if opts.NewSandbox == nil {
		return Summary{}, ErrNoSandboxFactory
	}
	found, err := findFiles(opts.Paths)
	if err != nil {
		return Summary{}, err
	}
	var files []scenarioFile
	for _, f := range found {
		if opts.Shard.has(f) {
			files = append(files, f)
		}
	}
	r := &run{opts: &opts, events: newEvents(&opts, false)}
	parallel := opts.Parallel
	if parallel <= 0 {
		parallel = runtime.NumCPU()
	}

	perFile := make([][]CaseResult, len(files))
	slots := make(chan struct{}, parallel)
	var wg sync.WaitGroup
start:
	for i, f := range files {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			break start // files not started are not run
		}
		if ctx.Err() != nil || r.stopping() { // both were ready, and select picks at random
			<-slots
			break start
		}
		wg.Go(func() {
			defer func() { <-slots }()
			perFile[i] = r.runFile(ctx, f, false)
		})
	}
	wg.Wait()

	var sum Summary
	for _, results := range perFile {
		sum.add(results...)
	}
	return r.conclude(ctx, sum)
}

// runFile runs a file Options.Count times, one run after the other.
func (r *run) runFile(ctx context.Context, f scenarioFile, live bool) []CaseResult {
	start := time.Now()
	r.events.fileStart(f.path)
	var results []CaseResult
	for n := 1; n == 1 || n <= r.opts.Count; n++ {
		if n > 1 && (ctx.Err() != nil || r.stopping()) {
			break
		}
		results = append(results, newFileRun(r, f, n, live).run(ctx)...)
	}
	r.events.fileDone(f.path, time.Since(start))
	return results
}

// RunFile runs one scenario file (berth run): its print() output is
// streamed as it happens, followed by each case's result line and the
// summary line. The suite root is the file's directory.
func RunFile(ctx context.Context, path string, opts Options) (Summary, error) {
	if opts.NewSandbox == nil {
		return Summary{}, ErrNoSandboxFactory
	}
	info, err := os.Stat(path)
	if err != nil {
		return Summary{}, fmt.Errorf("run %s: %w", path, err)
	}
	if info.IsDir() {
		return Summary{}, fmt.Errorf("run %s: is a directory, want a .star file (berth test runs directories)", path)
	}
	r := &run{opts: &opts, events: newEvents(&opts, true)}
	f := scenarioFile{path: filepath.Clean(path), root: filepath.Dir(path)}
	var sum Summary
	sum.add(r.runFile(ctx, f, true)...)
	return r.conclude(ctx, sum)
}

// conclude ends the report and turns an interruption into an error.
func (r *run) conclude(ctx context.Context, sum Summary) (Summary, error) {
	if ctx.Err() != nil {
		sum.Interrupted = true
	}
	reportErr := r.events.runDone(sum)
	if sum.Interrupted {
		return sum, errors.Join(fmt.Errorf("run interrupted: %w", context.Cause(ctx)), reportErr)
	}
	return sum, reportErr
}
