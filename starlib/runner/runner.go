package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// ErrNoSandboxFactory is returned when Options.NewSandbox is nil.
var ErrNoSandboxFactory = errors.New("runner: Options.NewSandbox is nil")

// Test runs the scenario files found under opts.Paths, several files at
// once, and prints a line per case and a summary line to opts.Stdout.
// Failing cases are not an error: see Summary.Failed. The error is for
// what stopped the run from happening (no files, a bad path) or cutting it
// short (ctx cancelled; the Summary is still complete for what ran).
func Test(ctx context.Context, opts Options) (Summary, error) {
	if opts.NewSandbox == nil {
		return Summary{}, ErrNoSandboxFactory
	}
	files, err := findFiles(opts.Paths)
	if err != nil {
		return Summary{}, err
	}
	out := newPrinter(&opts)
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
		if ctx.Err() != nil { // both were ready, and select picks at random
			<-slots
			break start
		}
		wg.Go(func() {
			defer func() { <-slots }()
			perFile[i] = newFileRun(&opts, f, out, false).run(ctx)
		})
	}
	wg.Wait()

	var sum Summary
	for _, results := range perFile {
		sum.add(results...)
	}
	return conclude(ctx, out, sum)
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
	out := newPrinter(&opts)
	f := scenarioFile{path: filepath.Clean(path), root: filepath.Dir(path)}
	var sum Summary
	sum.add(newFileRun(&opts, f, out, true).run(ctx)...)
	return conclude(ctx, out, sum)
}

// conclude prints the summary line, last, and turns an interruption into
// an error.
func conclude(ctx context.Context, out *printer, sum Summary) (Summary, error) {
	if ctx.Err() != nil {
		sum.Interrupted = true
		out.write("interrupted\n")
	}
	out.write(sum.Line() + "\n")
	if sum.Interrupted {
		return sum, fmt.Errorf("run interrupted: %w", context.Cause(ctx))
	}
	return sum, nil
}
