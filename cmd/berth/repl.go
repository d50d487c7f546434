package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"berth/runtime/backend"
	"berth/starlib/harness"
	"berth/starlib/repl"
)

// cmdRepl is `berth repl`: the scenario language one statement at a
// time, in one sandbox removed when the session ends. On a terminal it
// edits lines (history in ~/.berth_history); otherwise it runs the
// statements of standard input, exit status 1 when one failed.
func cmdRepl(ctx context.Context, g globalOptions, argv []string, stdin *os.File, stdout, stderr io.Writer) (retErr error) {
	fs := flag.NewFlagSet("berth repl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var timeout durationFlag
	fs.Var(&timeout, "timeout", "cancel a statement that runs longer than `DURATION`, 0 (the default) for no limit")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: berth repl [flags]\n\nThe scenario language one statement at a time, in one sandbox that the end of\nthe session removes. On a terminal: line editing, history in ~/.berth_history,\nTab completion, :help NAME, :save FILE.star, :ls; Ctrl-C cancels the running\nstatement, Ctrl-D leaves. Otherwise it runs the statements of standard input\n(exit status 1 when one failed).\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, argv); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("repl: want no arguments, got %q (berth run runs a file)", fs.Args())
	}
	terminal := isTerminal(stdin)
	// A terminal's Ctrl-C cancels the statement, not the session; SIGTERM
	// (and, without a terminal, SIGINT) ends the session.
	var interrupts chan os.Signal
	var stop func()
	if terminal {
		interrupts = make(chan os.Signal, 1)
		signal.Notify(interrupts, os.Interrupt)
		defer signal.Stop(interrupts)
		ctx, stop = terminated(ctx)
	} else {
		ctx, stop = interruptible(ctx)
	}
	defer stop()

	b, err := openBackend(g)
	if err != nil {
		return err
	}
	sbs := backend.NewSandboxes(b)
	defer func() {
		if err := errors.Join(sbs.Close(), b.Close()); err != nil {
			retErr = errors.Join(retErr, fmt.Errorf("remove what the session created (berth gc retries): %w", err))
		}
	}()
	opts := harness.Options(sbs)
	opts.Timeout = time.Duration(timeout)
	s, err := repl.Open(ctx, repl.Config{Options: opts, Registry: harness.Registry(), Stdout: stdout, Stderr: stderr})
	if err != nil {
		return err
	}
	defer func() {
		if err := s.Close(); err != nil {
			retErr = errors.Join(retErr, fmt.Errorf("remove what the session created (berth gc retries): %w", err))
		}
	}()

	if terminal {
		history := ""
		if home, err := os.UserHomeDir(); err == nil {
			history = filepath.Join(home, repl.HistoryFile)
		}
		return s.RunTerminal(ctx, history, interrupts)
	}
	failed, err := s.RunReader(ctx, stdin, "<stdin>")
	if err != nil {
		return err
	}
	if failed > 0 {
		return exitError{1}
	}
	return nil
}

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// terminated returns a context that SIGTERM cancels, with an
// interruptError as its cause.
func terminated(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			cancel(interruptError{sig: s.(syscall.Signal)})
		case <-done:
		}
	}()
	return ctx, func() {
		close(done)
		signal.Stop(sigs)
		cancel(nil)
	}
}
