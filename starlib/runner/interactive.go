package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"berth/starlib/builtins"
	"berth/starlib/dialect"
	"berth/starlib/session"
)

// Interactive runs scenario statements one at a time, as they are typed
// (berth repl). The whole session is one file's top level: one sandbox,
// one session (print, cleanups) and one load() cache, torn down by Close
// as the runner tears a file's top level down. Each statement gets a
// fresh thread, so that one cancelled by Ctrl-C leaves the next runnable.
type Interactive struct {
	fr      *fileRun
	sb      Sandbox
	sess    *session.Session
	ld      *loader
	globals starlark.StringDict // the predeclared names and what the statements bound
	n       int                 // statements run, for thread names
	closed  bool
}

// NewInteractive opens the session's sandbox, labelled label. load() and
// the paths builtins take are relative to dir, the suite root; print()
// writes to out. Only opts.Predeclared, NewSandbox, Timeout (per
// statement), TeardownTimeout and Update are used.
func NewInteractive(ctx context.Context, opts Options, label, dir string, out io.Writer) (*Interactive, error) {
	if opts.NewSandbox == nil {
		return nil, ErrNoSandboxFactory
	}
	fr := &fileRun{opts: &opts, path: label, root: dir, abs: label, rootAbs: dir}
	if abs, err := filepath.Abs(dir); err == nil {
		fr.rootAbs = abs
	}
	sb, err := opts.NewSandbox(ctx, label, nil)
	if err != nil {
		return nil, fmt.Errorf("create sandbox: %w", err)
	}
	globals := make(starlark.StringDict, len(opts.Predeclared))
	for k, v := range opts.Predeclared {
		globals[k] = v
	}
	// Statements are parsed as if typed in a file named label in dir:
	// relative load()s and paths resolve from dir.
	ld := newLoader(filepath.Join(dir, label), dir, opts.Predeclared)
	sess := &session.Session{File: filepath.Join(fr.rootAbs, label), SuiteRoot: fr.rootAbs, Update: opts.Update, Out: out}
	return &Interactive{fr: fr, sb: sb, sess: sess, ld: ld, globals: globals}, nil
}

// Sandbox is the session's sandbox, for listing what it holds.
func (in *Interactive) Sandbox() Sandbox { return in.sb }

// Globals are the names a statement can use: the predeclared ones and
// those earlier statements bound. The caller must not change them, nor
// read them while a statement runs.
func (in *Interactive) Globals() starlark.StringDict { return in.globals }

// REPLOptions is the dialect of typed statements: a file's, with load()
// binding globally, so that a later statement sees what a load() bound.
func REPLOptions() *syntax.FileOptions {
	o := dialect.FileOptions()
	o.LoadBindsGlobally = true
	return o
}

// Exec parses and runs one chunk of statements, src, as the lines from
// line (1-based) of the input named filename, so that errors point at
// the input's own lines. The chunk's value is returned when it is a sole
// expression (for the REPL to show), else None. ctx cancels the statement
// (Ctrl-C): the builtin waiting returns and the Starlark code stops.
func (in *Interactive) Exec(ctx context.Context, filename, src string, line int) (starlark.Value, error) {
	if in.closed {
		return nil, errors.New("the session is closed")
	}
	if i := strings.IndexByte(src, 0); i >= 0 {
		return nil, fmt.Errorf("%s:%d: NUL byte: a statement must be text", filename, line+strings.Count(src[:i], "\n"))
	}
	// Blank lines before the chunk give its nodes the input's line numbers.
	padded := strings.Repeat("\n", max(line-1, 0)) + src
	f, err := REPLOptions().Parse(filename, padded, 0)
	if err != nil {
		return nil, err
	}
	in.n++
	th := in.fr.newThread(fmt.Sprintf("%s#%d", in.fr.path, in.n), in.sess, in.sb, in.ld)
	value := starlark.Value(starlark.None)
	o := in.fr.execute(ctx, th, in.sess, func() error {
		if expr := soleExpr(f); expr != nil {
			v, err := starlark.EvalExprOptions(f.Options, th, expr, in.globals)
			if err == nil {
				value = v
			}
			return err
		}
		return starlark.ExecREPLChunk(f, th, in.globals)
	})
	var list resolve.ErrorList
	switch {
	case o.err == nil:
	case errors.As(o.err, &list):
		return nil, list // FormatError adds the hints
	default:
		return nil, errors.New(o.text())
	}
	return value, nil
}

// soleExpr returns the expression of a chunk that is one expression
// statement, or nil.
func soleExpr(f *syntax.File) syntax.Expr {
	if len(f.Stmts) == 1 {
		if stmt, ok := f.Stmts[0].(*syntax.ExprStmt); ok {
			return stmt.X
		}
	}
	return nil
}

// FormatError renders an error of Exec or of parsing as the runner
// reports a case's: file:line:col, and "did you mean" for an undefined
// name.
func (in *Interactive) FormatError(err error) string {
	var list resolve.ErrorList
	if errors.As(err, &list) {
		names := append(in.globals.Keys(), starlark.Universe.Keys()...)
		var b bytes.Buffer
		for i, e := range list {
			if name, ok := strings.CutPrefix(e.Msg, "undefined: "); ok {
				if near := builtins.Nearest(name, names); near != "" {
					e.Msg += fmt.Sprintf(" (did you mean %s?)", near)
				}
			}
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(e.Error())
		}
		return b.String()
	}
	return formatError(err)
}

// Close removes what the session created (its sandbox, then the
// session's cleanups), bounded as a file's teardown is. It is safe to
// call more than once.
func (in *Interactive) Close() error {
	if in.closed {
		return nil
	}
	in.closed = true
	ctx, cancel := in.fr.teardownContext()
	defer cancel()
	return in.fr.teardown(ctx, in.sb, in.sess)
}
