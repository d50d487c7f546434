// Package repl is berth's interactive session (berth repl): the scenario
// language typed one statement at a time into one sandbox that lives for
// the session, with completion, :help from the builtin registry, :save to
// a scenario file, :ls of what the session made, and Ctrl-C cancelling
// the running statement. On a terminal it edits lines with
// github.com/reeflective/readline; without one it reads statements from
// standard input.
package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"go.starlark.net/starlark"

	"berth/runtime/backend"
	"berth/starlib/builtins"
	"berth/starlib/runner"
)

// Label is the session's name: its sandbox's label, and the file name
// its statements' errors point at.
const Label = "<repl>"

// Config is what a session runs on.
type Config struct {
	// Options gives Predeclared and NewSandbox (harness.Options), and
	// optionally a per-statement Timeout.
	Options runner.Options
	// Registry describes the builtins, for :help and completion.
	Registry *builtins.Registry
	// Dir is what load() and relative paths start from; "" is ".".
	Dir string
	// Stdout receives print() and values; Stderr errors and messages.
	Stdout, Stderr io.Writer
}

// Session is one REPL session: its sandbox and globals, and the
// statements that ran without error (for :save).
type Session struct {
	cfg  Config
	in   *runner.Interactive
	comp *Completer
	ran  []string
	quit bool
}

// Open makes the session's sandbox.
func Open(ctx context.Context, cfg Config) (*Session, error) {
	if cfg.Dir == "" {
		cfg.Dir = "."
	}
	in, err := runner.NewInteractive(ctx, cfg.Options, Label, cfg.Dir, cfg.Stdout)
	if err != nil {
		return nil, err
	}
	s := &Session{cfg: cfg, in: in}
	s.comp = &Completer{Registry: cfg.Registry, Globals: in.Globals}
	return s, nil
}

// Close removes everything the session made.
func (s *Session) Close() error { return s.in.Close() }

// Completer completes the session's names.
func (s *Session) Completer() *Completer { return s.comp }

// Quit reports whether :quit was given.
func (s *Session) Quit() bool { return s.quit }

// Eval runs one chunk: a command (":ls") or statements, whose lines are
// the input's from line on (filename:line:col in errors). A value that
// is not None is shown, as Python's REPL does. It reports an error on
// Stderr and returns false when the chunk failed.
func (s *Session) Eval(ctx context.Context, filename, text string, line int) bool {
	if strings.TrimSpace(text) == "" {
		return true
	}
	if cmd := strings.TrimSpace(text); strings.HasPrefix(cmd, ":") {
		if err := s.command(ctx, cmd); err != nil {
			fmt.Fprintf(s.cfg.Stderr, "%s\n", err)
			return false
		}
		return true
	}
	v, err := s.in.Exec(ctx, filename, text, line)
	if err != nil {
		fmt.Fprintln(s.cfg.Stderr, s.in.FormatError(err))
		return false
	}
	s.ran = append(s.ran, strings.TrimRight(text, "\n"))
	if v != nil && v != starlark.None {
		fmt.Fprintln(s.cfg.Stdout, v.String())
	}
	return true
}

func (s *Session) command(ctx context.Context, line string) error {
	name, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch name {
	case ":help", ":h":
		return s.help(arg)
	case ":ls":
		if arg != "" {
			return fmt.Errorf(":ls takes no argument, got %q", arg)
		}
		return s.list(ctx)
	case ":save":
		return s.save(arg)
	case ":quit", ":q":
		s.quit = true
		return nil
	}
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.Value
	}
	msg := fmt.Sprintf("unknown command %s", name)
	if near := builtins.Nearest(name, names); near != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", near)
	}
	return fmt.Errorf("%s: want one of %s", msg, strings.Join(names, ", "))
}

func (s *Session) help(name string) error {
	w := s.cfg.Stdout
	if name == "" {
		fmt.Fprintln(w, "Type statements of the scenario language; a block ends with a blank line.")
		fmt.Fprintln(w, "Tab completes names, members, keyword arguments and attributes. Ctrl-C cancels")
		fmt.Fprintln(w, "the running statement, Ctrl-D leaves (removing what the session made).")
		fmt.Fprintln(w, "\nCommands:")
		for _, c := range commands {
			fmt.Fprintf(w, "  %s\n", c.Doc)
		}
		fmt.Fprint(w, "\nThe scenario language (\":help NAME\" shows one name, such as run, network.create or Container.exec):\n\n")
		return s.cfg.Registry.WriteList(w)
	}
	if err := s.cfg.Registry.WriteHelp(w, name); err != nil {
		return fmt.Errorf("help: %w; :help lists every name", err)
	}
	return nil
}

// lister is what :ls reads of the session's sandbox: the harness's
// sandboxes are backend sandboxes.
type lister interface {
	Containers() []backend.Container
	Networks(ctx context.Context) ([]backend.NetworkInfo, error)
	Volumes(ctx context.Context) ([]backend.VolumeInfo, error)
}

// list is :ls: the containers, networks and volumes of the session.
func (s *Session) list(ctx context.Context) error {
	sb, ok := s.in.Sandbox().(lister)
	if !ok {
		return fmt.Errorf(":ls: this backend's sandbox (%T) cannot list what it holds", s.in.Sandbox())
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	tw := tabwriter.NewWriter(s.cfg.Stdout, 0, 8, 2, ' ', 0)
	cs := sb.Containers()
	fmt.Fprintf(tw, "containers (%d):\n", len(cs))
	for _, c := range cs {
		st := c.State()
		status := string(st.Status)
		if st.Status == backend.StatusExited {
			status = fmt.Sprintf("exited (%d)", st.ExitCode)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", c.Name(), c.ID()[:12], c.ImageRef(), status)
	}
	nets, err := sb.Networks(ctx)
	if err != nil {
		return fmt.Errorf(":ls: networks: %w", err)
	}
	var own []backend.NetworkInfo
	for _, n := range nets {
		if n.Name != "bridge" && n.Name != "host" && n.Name != "none" {
			own = append(own, n)
		}
	}
	fmt.Fprintf(tw, "networks (%d):\n", len(own))
	for _, n := range own {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", n.Name, n.Driver, n.Subnet)
	}
	vols, err := sb.Volumes(ctx)
	if err != nil {
		return fmt.Errorf(":ls: volumes: %w", err)
	}
	fmt.Fprintf(tw, "volumes (%d):\n", len(vols))
	for _, v := range vols {
		fmt.Fprintf(tw, "  %s\t%s\n", v.Name, v.Driver)
	}
	return tw.Flush()
}

// save is :save FILE: the statements that ran without error, in order,
// as a scenario file's top level, which berth run runs as one case.
func (s *Session) save(path string) error {
	switch {
	case path == "":
		return errors.New(":save: want a FILE.star to write the statements to")
	case strings.ContainsAny(path, " \t"):
		return fmt.Errorf(":save %q: want one FILE.star", path)
	case !strings.HasSuffix(path, ".star"):
		return fmt.Errorf(":save %q: want a .star file (berth run takes only those)", path)
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(s.cfg.Dir, path)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Saved by berth repl: the %d statements that ran without error.\n", len(s.ran))
	for _, stmt := range s.ran {
		b.WriteString("\n" + stmt + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf(":save: %w", err)
	}
	fmt.Fprintf(s.cfg.Stderr, "saved %d statements to %s\n", len(s.ran), path)
	return nil
}
