package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"berth/runtime/backend"
	"berth/starlib/harness"
	"berth/starlib/runner"
	"berth/starlib/runner/report"
)

// usageError is a bad invocation: exit status 2, one line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// defaultTimeout bounds each case unless -timeout says otherwise.
const defaultTimeout = durationFlag(10 * time.Minute)

// testOptions are the flags of berth test.
type testOptions struct {
	run      string
	parallel parallelFlag
	timeout  durationFlag
	update   bool
	verbose  bool
	// CI: reports, selection, repeats.
	junit    string
	json     bool
	tap      bool
	shard    string
	failfast bool
	count    countFlag
	work     bool
}

func cmdTest(ctx context.Context, g globalOptions, argv []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("berth test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := testOptions{timeout: defaultTimeout}
	fs.StringVar(&o.run, "run", "", "run only the cases whose `REGEX` matches \"file.star::test_name\"")
	fs.Var(&o.parallel, "parallel", "run `N` files at once (default: number of CPUs)")
	fs.Var(&o.timeout, "timeout", "fail a case that runs longer than `DURATION`, 0 for no limit")
	fs.BoolVar(&o.update, "update", false, "rewrite golden files instead of comparing with them")
	fs.BoolVar(&o.verbose, "v", false, "show the output of passing cases and the skipped ones")
	fs.StringVar(&o.junit, "junit", "", "also write a JUnit XML report to `FILE` (written even when interrupted)")
	fs.BoolVar(&o.json, "json", false, "print a go test -json stream instead of the report (Package: the file, Test: the case)")
	fs.BoolVar(&o.tap, "tap", false, "print TAP version 13 instead of the report")
	fs.StringVar(&o.shard, "shard", "", "run only shard `I/N` of the files (1-based; split by a hash of each file's path)")
	fs.BoolVar(&o.failfast, "failfast", false, "start no case or file after a case has failed")
	fs.Var(&o.count, "count", "run each file `N` times (repeats are named test_x#2, ...)")
	fs.BoolVar(&o.work, "work", false, workUsage)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: berth test [flags] [PATH...]\n\nRuns every *.star file under the PATHs (default .), files in parallel, and prints\none line per case, then \"N passed, N failed\". Flags may come before or after the PATHs.\nExit status 1 when anything failed, 2 for a usage error.\n\nFlags:")
		fs.PrintDefaults()
	}
	paths, err := parseInterspersed(fs, argv)
	if err != nil {
		return err
	}
	if o.json && o.tap {
		return usageError{"-json and -tap: want one of them (each replaces the report on stdout)"}
	}
	return runSuite(ctx, g, o, paths, stdout, stderr, false)
}

func cmdRun(ctx context.Context, g globalOptions, argv []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("berth run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := testOptions{timeout: defaultTimeout}
	fs.StringVar(&o.run, "run", "", "run only the cases whose `REGEX` matches \"file.star::test_name\"")
	fs.Var(&o.timeout, "timeout", "fail a case that runs longer than `DURATION`, 0 for no limit")
	fs.BoolVar(&o.update, "update", false, "rewrite golden files instead of comparing with them")
	fs.BoolVar(&o.work, "work", false, workUsage)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: berth run [flags] FILE.star\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, argv); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("run: want exactly one FILE.star, got %d arguments (use berth test for several)", fs.NArg())
	}
	return runSuite(ctx, g, o, fs.Args(), stdout, stderr, true)
}

const workUsage = "keep what a failing case made (containers, networks, volumes) to look at; berth gc removes it"

// reportKept says, after a -work run, what the failed cases kept and that
// berth gc removes it. The human report already shows each case's list;
// -json and -tap do not, so then it is written here.
func reportKept(w io.Writer, g globalOptions, sum runner.Summary, lists bool) {
	if lists {
		for _, c := range sum.Cases {
			if c.Kept != "" {
				fmt.Fprintf(w, "%s kept (-work):\n", c.ID())
				for _, l := range strings.SplitAfter(strings.TrimRight(c.Kept, "\n"), "\n") {
					fmt.Fprintf(w, "    %s", l)
				}
				fmt.Fprintln(w)
			}
		}
	}
	root := rootArg(g)
	fmt.Fprintf(w, "berth -work: kept what %d failed case(s) made, with their files' top levels; the berth commands above take %s.\n", sum.Kept, root)
	fmt.Fprintf(w, "Remove it all with: berth %s gc\n", root)
}

// runSuite runs scenario files on a fresh engine and turns the summary into
// the exit status: 1 when anything failed. A SIGINT or SIGTERM cancels the
// run; the error then wraps an interruptError (exit status 128+N). A failure
// to remove what the run created is reported whatever else happened.
func runSuite(ctx context.Context, g globalOptions, o testOptions, paths []string, stdout, stderr io.Writer, single bool) (retErr error) {
	opts := runner.Options{Paths: paths, Parallel: int(o.parallel), Timeout: time.Duration(o.timeout), Update: o.update, Verbose: o.verbose, Stdout: stdout,
		Count: int(o.count), FailFast: o.failfast, KeepFailed: o.work}
	if o.shard != "" {
		sh, err := runner.ParseShard(o.shard)
		if err != nil {
			return usageError{fmt.Sprintf("-shard %v", err)}
		}
		opts.Shard = sh
	}
	var flush func() error
	switch {
	case o.json || o.tap:
		bw := bufio.NewWriterSize(stdout, 64<<10)
		flush = bw.Flush
		opts.Stdout = nil
		if o.json {
			opts.Reporters = append(opts.Reporters, report.NewJSON(bw))
		} else {
			opts.Reporters = append(opts.Reporters, report.NewTAP(bw))
		}
	}
	if o.run != "" {
		re, err := regexp.Compile(o.run)
		if err != nil {
			return fmt.Errorf("-run %q: %w", o.run, err)
		}
		opts.Run = re
	}
	// Bad paths fail before the engine creates anything under the root.
	if single {
		if err := checkScenarioFile(paths[0]); err != nil {
			return err
		}
	} else if err := checkTestPaths(paths); err != nil {
		return err
	}
	if o.junit != "" { // last: it creates the file
		j, err := report.NewJUnit(o.junit)
		if err != nil {
			return usageError{err.Error()}
		}
		opts.Reporters = append(opts.Reporters, j)
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	b, err := openBackend(g)
	if err != nil {
		return err
	}
	sbs := backend.NewSandboxes(b)
	defer func() {
		// The sandboxes still open (an interrupted run's), then the
		// backend.
		err := errors.Join(sbs.Close(), b.Close())
		if err == nil {
			return
		}
		// Never hidden behind the cases' status: things are left behind.
		err = fmt.Errorf("remove what the run created (berth gc retries): %w", err)
		var ee exitError
		if retErr == nil || errors.As(retErr, &ee) {
			retErr = err
		} else {
			retErr = errors.Join(retErr, err)
		}
	}()
	wired := harness.Options(sbs)
	opts.Predeclared, opts.NewSandbox = wired.Predeclared, wired.NewSandbox
	var sum runner.Summary
	if single {
		sum, err = runner.RunFile(ctx, paths[0], opts)
	} else {
		sum, err = runner.Test(ctx, opts)
	}
	if flush != nil {
		err = errors.Join(err, flush())
	}
	if sum.Kept > 0 {
		reportKept(stderr, g, sum, opts.Stdout == nil)
	}
	if err != nil {
		return err
	}
	if !sum.OK() {
		return exitError{1}
	}
	return nil
}

// rootArg is the --root flag naming g's root, absolute so that it can be
// pasted anywhere.
func rootArg(g globalOptions) string {
	root := g.root
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	return "--root " + root
}
