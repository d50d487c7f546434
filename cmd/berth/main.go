// Command berth runs container scenarios written in Starlark on its own
// embedded engine.
//
//	berth [--root DIR] run FILE.star
//	berth [--root DIR] test [flags] [PATH...]
//	berth [--root DIR] repl
//	berth [--root DIR] gc
//	berth [--root DIR] image ls|inspect|load|import|tag|rm|prune ...
//	berth [--root DIR] volume ls|inspect|rm|prune ...
//	berth help [NAME]
//
// This file only turns flags into options; the work is done by the
// packages under runtime/ and starlib/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"berth/runtime/backend"
	"berth/runtime/engine"
	"berth/starlib/builtins"
)

// exitError carries the process exit status of a command.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

const usage = `berth — container scenarios in Starlark, on an embedded engine

Usage:
  berth [--root DIR] run FILE.star           run one scenario file
  berth [--root DIR] test [flags] [PATH...]  run every *.star under PATHs (CI runner)
  berth [--root DIR] repl                    the scenario language interactively, in one sandbox
  berth [--root DIR] gc                      remove what killed berth runs left behind
  berth [--root DIR] image COMMAND           ls | inspect REF | load PATH | import PATH REF | tag SRC DST | rm REF | prune
  berth [--root DIR] volume COMMAND          ls | inspect NAME | rm NAME... | prune
  berth help [NAME]                          the scenario language: every name, or one's signature and doc

Global flags:
  --root DIR       where images, volumes and state live (default $BERTH_ROOT or /var/lib/berth)
  --backend NAME   what runs the containers: embedded (the default: berth's own engine)
  --offline        pull and push only with loopback registries; any other fails at once
                   (default: true when $BERTH_OFFLINE is 1)
  --version        print berth's version

Run "berth test -h" for the test runner's flags.
`

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)
	var ee exitError
	var ie interruptError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		os.Exit(ee.code)
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.As(err, &ie):
		fmt.Fprintln(os.Stderr, "berth:", err)
		os.Exit(128 + int(ie.sig)) // what a shell reports for a process the signal killed
	default:
		fmt.Fprintln(os.Stderr, "berth:", err)
		os.Exit(2)
	}
}

// interruptError is the cause of the run's context when SIGINT or SIGTERM
// arrived.
type interruptError struct{ sig syscall.Signal }

func (e interruptError) Error() string { return "received " + unix.SignalName(e.sig) }

// interruptible returns a context that the first SIGINT or SIGTERM
// cancels, with an interruptError as its cause. Later ones are ignored
// until stop: the run is already removing what it created, and a second
// Ctrl-C must not cut that short. Only run and test catch signals: gc and
// image commands end at once, as any command would.
func interruptible(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
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

// parseFlags parses argv into fs. On a bad flag the flag package has
// already printed it and the usage, so the error is only the exit status;
// an unknown flag near a known one gets a "did you mean" first.
func parseFlags(fs *flag.FlagSet, argv []string) error {
	err := fs.Parse(argv)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
			var names []string
			fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
			if near := builtins.Nearest(name, names); near != "" {
				fmt.Fprintf(fs.Output(), "did you mean -%s?\n", near)
			}
		}
		return exitError{2}
	}
	return err
}

// parseInterspersed parses flags before and after the positional
// arguments (berth test scenarios/ -v), as far as a "--", and returns the
// positional ones.
func parseInterspersed(fs *flag.FlagSet, argv []string) ([]string, error) {
	var args []string
	for {
		if err := parseFlags(fs, argv); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(argv) > 0 && len(rest) > 0 && len(argv) > len(rest) && argv[len(argv)-len(rest)-1] == "--" {
			return append(args, rest...), nil // after "--" everything is a path
		}
		i := slices.IndexFunc(rest, func(a string) bool { return strings.HasPrefix(a, "-") && a != "-" })
		if i < 0 {
			return append(args, rest...), nil
		}
		args = append(args, rest[:i]...)
		argv = rest[i:]
	}
}

// globalOptions are the flags before the command.
type globalOptions struct {
	root    string
	backend string    // one of backends
	stderr  io.Writer // the engine's warnings: the command's stderr
	offline bool      // --offline or BERTH_OFFLINE=1: pull only from loopback
}

// backends are the values of --backend: what runs the containers.
var backends = []string{"embedded"}

func run(ctx context.Context, argv []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("berth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	g := globalOptions{stderr: stderr}
	defRoot := os.Getenv("BERTH_ROOT")
	if defRoot == "" {
		defRoot = engine.DefaultRoot
	}
	fs.StringVar(&g.root, "root", defRoot, "where images, volumes and state live")
	fs.StringVar(&g.backend, "backend", backends[0], "what runs the containers")
	offlineEnv := os.Getenv("BERTH_OFFLINE")
	fs.BoolVar(&g.offline, "offline", offlineEnv == "1" || offlineEnv == "true", "contact no registry off this machine")
	showVersion := fs.Bool("version", false, "print berth's version")
	if err := parseFlags(fs, argv); err != nil {
		return err
	}
	if *showVersion {
		fmt.Fprintln(stdout, "berth", versionString())
		return nil
	}
	if !slices.Contains(backends, g.backend) {
		return fmt.Errorf("--backend %q: want one of %s", g.backend, strings.Join(backends, ", "))
	}
	if g.root == "" {
		// An empty root would silently be /var/lib/berth.
		return fmt.Errorf("--root %q: want a directory (the default is $BERTH_ROOT or %s)", g.root, engine.DefaultRoot)
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitError{2}
	}
	cmd, rest := fs.Arg(0), fs.Args()[1:]
	switch cmd {
	case "run":
		return cmdRun(ctx, g, rest, stdout, stderr)
	case "test":
		return cmdTest(ctx, g, rest, stdout, stderr)
	case "gc":
		return cmdGC(g, rest, stdout, stderr)
	case "image":
		return cmdImage(g, rest, stdout, stderr)
	case "volume":
		return cmdVolume(g, rest, stdout, stderr)
	case "repl":
		return cmdRepl(ctx, g, rest, os.Stdin, stdout, stderr)
	case "help":
		return cmdHelp(rest, stdout)
	}
	return fmt.Errorf("unknown command %q: want run, test, repl, gc, image or volume (see berth help)", cmd)
}

// openBackend opens what --backend names, for the commands that run
// scenarios.
func openBackend(g globalOptions) (backend.Backend, error) {
	switch g.backend {
	case "embedded":
		e, err := openEngine(g)
		if err != nil {
			return nil, err // not a nil *Engine in a non-nil interface
		}
		return e, nil
	}
	return nil, fmt.Errorf("--backend %q: want one of %s", g.backend, strings.Join(backends, ", "))
}

// openEngine opens the engine for a command.
// A damaged tag table it set aside is worth a warning: the images lost
// their names.
func openEngine(g globalOptions) (*engine.Engine, error) {
	e, err := engine.Open(engine.Options{Root: g.root, Warnings: g.stderr, Offline: g.offline})
	if err == nil && g.stderr != nil {
		if msg := e.ImageStore().Repaired(); msg != "" {
			fmt.Fprintf(g.stderr, "berth: warning: %s\n", msg)
		}
	}
	return e, err
}
