package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"berth/runtime/capped"
	"berth/starlib/dialect"
	"berth/starlib/session"
)

// cancelGrace is how long a cancelled case may take to stop before the
// runner gives up waiting for it and tears its sandbox down anyway: a
// builtin that ignores its context must not hang a CI run forever.
const cancelGrace = 10 * time.Second

// fileRun runs one scenario file: its top level, then its cases.
type fileRun struct {
	r       *run
	opts    *Options
	path    string // as found
	abs     string
	rootAbs string
	root    string
	n       int  // which -count repeat, from 1
	live    bool // print() goes straight to the report (RunFile)
	// keepFile is set when a case was kept (-work): the top level is
	// kept too, as the case's containers may use its networks.
	keepFile bool
	results  []CaseResult
}

func newFileRun(r *run, f scenarioFile, n int, live bool) *fileRun {
	fr := &fileRun{r: r, opts: r.opts, path: f.path, root: f.root, n: n, live: live, abs: f.path, rootAbs: f.root}
	if abs, err := filepath.Abs(f.path); err == nil {
		fr.abs = abs
	}
	if abs, err := filepath.Abs(f.root); err == nil {
		fr.rootAbs = abs
	}
	return fr
}

// emit records and reports a result. Its failure message is cut to
// capped.Report: a fail() of 50 MB would otherwise be printed, and kept,
// whole.
func (fr *fileRun) emit(r CaseResult) {
	r.Failure = capped.Cut(r.Failure, capped.Report, "")
	r.Run = fr.n
	if r.Status == Failed {
		fr.r.failed.Store(true)
	}
	fr.results = append(fr.results, r)
	fr.r.events.caseDone(r)
}

func (fr *fileRun) selected(name string) bool {
	return fr.opts.Run == nil || fr.opts.Run.MatchString(CaseResult{File: fr.path, Name: name}.ID())
}

func (fr *fileRun) fileFailure(start time.Time, failure string) CaseResult {
	return CaseResult{File: fr.path, Status: Failed, Duration: time.Since(start), Failure: failure}
}

func (fr *fileRun) skip(names []string, reason string) {
	for _, name := range names {
		fr.emit(CaseResult{File: fr.path, Name: name, Status: Skipped, SkipReason: reason})
	}
}

// run runs the file and returns its results, in definition order.
func (fr *fileRun) run(ctx context.Context) []CaseResult {
	start := time.Now()
	predeclared := fr.opts.Predeclared

	src, err := os.ReadFile(fr.path)
	if err != nil {
		fr.emit(fr.fileFailure(start, err.Error()))
		return fr.results
	}
	f, err := parseFile(fr.path, src)
	if err != nil {
		fr.emit(fr.fileFailure(start, formatError(err)))
		return fr.results
	}
	names := testNames(f.Stmts, nil)
	if len(names) == 0 && !fr.selected("") {
		fr.skip([]string{""}, "not selected by -run")
		return fr.results
	}
	if len(names) > 0 && !slices.ContainsFunc(names, fr.selected) {
		fr.skip(names, "not selected by -run")
		return fr.results
	}
	prog, err := dialect.FileProgram(f, predeclared)
	if err != nil {
		fr.emit(fr.fileFailure(start, formatError(err)))
		fr.skip(names, "the file did not compile")
		return fr.results
	}

	fileSB, err := fr.opts.NewSandbox(ctx, fr.id(""), nil)
	if err != nil {
		fr.emit(fr.fileFailure(start, fmt.Sprintf("create sandbox: %v", err)))
		fr.skip(names, "no sandbox for the top level")
		return fr.results
	}
	ld := newLoader(fr.path, fr.root, predeclared)
	topSession, topOutput := fr.newSession("")
	th := fr.newThread(fr.id(""), topSession, fileSB, ld)
	if len(names) == 0 {
		fr.r.events.caseStart(fr.path, "", fr.n)
	}
	var globals starlark.StringDict
	top := fr.execute(ctx, th, topSession, func() error {
		var err error
		globals, err = prog.Init(th, predeclared)
		return err
	})

	if reason, ok := skipped(top.err); ok && len(names) > 0 {
		// skip() at top level skips the whole file.
		fr.skip(names, reason)
		fr.closeTop(start, fileSB, topSession)
		return fr.results
	}
	if len(names) == 0 || top.err != nil {
		// The top level is the file's one case, or it failed and the
		// cases cannot run: either way it is reported as the file.
		fr.emit(fr.finish("", start, top, topOutput.String(), fileSB, topSession, nil))
		fr.skip(names, "the top level failed")
		return fr.results
	}
	globals.Freeze()

	pendingOutput := topOutput.String()
	for _, name := range names {
		switch {
		case !fr.selected(name):
			fr.skip([]string{name}, "not selected by -run")
		case ctx.Err() != nil:
			fr.skip([]string{name}, "interrupted")
		case fr.r.stopping():
			fr.skip([]string{name}, "-failfast: a case failed before it")
		case globals[name] == nil:
			// Defined under a top-level if that did not run: the
			// scenario's own way of skipping a case.
			fr.skip([]string{name}, "its def did not run")
		default:
			r := fr.runCase(ctx, name, globals[name], fileSB, ld)
			r.Output = pendingOutput + r.Output
			pendingOutput = ""
			fr.emit(r)
		}
	}
	fr.closeTop(start, fileSB, topSession)
	return fr.results
}

// closeTop tears the file's top level down after its cases, or keeps it
// when a case of the file was kept (-work).
func (fr *fileRun) closeTop(start time.Time, fileSB Sandbox, topSession *session.Session) {
	tctx, cancel := fr.teardownContext()
	defer cancel()
	if k, ok := fileSB.(Keeper); ok && fr.keepFile {
		if _, err := k.Keep(tctx); err != nil {
			fr.emit(fr.fileFailure(start, fmt.Sprintf("keep the top level (-work): %v", err)))
		}
		if err := topSession.RunCleanups(); err != nil {
			fr.emit(fr.fileFailure(start, fmt.Sprintf("cleanup of the top level: %v", err)))
		}
		return
	}
	if err := fr.teardown(tctx, fileSB, topSession); err != nil {
		fr.emit(fr.fileFailure(start, fmt.Sprintf("teardown of the top level: %v", err)))
	}
}

// keep leaves a failed case's sandbox as it is (-work) and says how to
// look at it. The session's cleanups still run: they are berth's own
// (temporary directories), not what the case made in the engine.
func (fr *fileRun) keep(ctx context.Context, r CaseResult, k Keeper, sess *session.Session, start time.Time, inFile bool) CaseResult {
	how, err := k.Keep(ctx)
	if err != nil {
		r.Failure += "\nkeep (-work): " + err.Error()
	}
	r.Kept = how
	if r.Kept == "" {
		r.Kept = "nothing: the case made no container, network or volume\n"
	}
	if inFile {
		r.Kept += "and the file's top level, once its cases have run (its containers are listed under \"from the top level\")\n"
	}
	if err := sess.RunCleanups(); err != nil {
		r.Failure += "\ncleanup: " + err.Error()
	}
	r.Duration = time.Since(start)
	return r
}

// skipError is what skip() raises: the case stops and is reported as
// skipped, with the reason.
type skipError struct{ reason string }

func (e *skipError) Error() string { return "skipped: " + e.reason }

// skipped reports whether err is skip()'s, and its reason.
func skipped(err error) (string, bool) {
	var se *skipError
	if errors.As(err, &se) {
		return se.reason, true
	}
	return "", false
}

// runCase runs one test_ function in its own sandbox and thread.
func (fr *fileRun) runCase(ctx context.Context, name string, fn starlark.Value, fileSB Sandbox, ld *loader) CaseResult {
	start := time.Now()
	id := fr.id(name)
	fr.r.events.caseStart(fr.path, name, fr.n)
	callable, ok := fn.(starlark.Callable)
	if !ok {
		// Reassigned after its def (GlobalReassign allows it).
		return CaseResult{File: fr.path, Name: name, Status: Failed, Duration: time.Since(start),
			Failure: fmt.Sprintf("%s is not a function (got %s)", name, fn.Type())}
	}
	sb, err := fr.opts.NewSandbox(ctx, id, fileSB)
	if err != nil {
		return CaseResult{File: fr.path, Name: name, Status: Failed, Duration: time.Since(start),
			Failure: fmt.Sprintf("create sandbox: %v", err)}
	}
	sess, output := fr.newSession(name)
	th := fr.newThread(id, sess, sb, ld)
	o := fr.execute(ctx, th, sess, func() error {
		_, err := starlark.Call(th, callable, nil, nil)
		return err
	})
	return fr.finish(name, start, o, output.String(), sb, sess, fileSB)
}

// finish turns an outcome into a result: on failure it collects the
// sandboxes' diagnostics (before they are torn down), then it tears the
// sandbox and the session's cleanups down, which fails the case if that
// fails.
func (fr *fileRun) finish(name string, start time.Time, o outcome, output string, sb Sandbox, sess *session.Session, fileSB Sandbox) CaseResult {
	r := CaseResult{File: fr.path, Name: name, Status: Passed, Output: output}
	ctx, cancel := fr.teardownContext()
	defer cancel()
	if reason, ok := skipped(o.err); ok {
		r.Status, r.SkipReason = Skipped, reason
	} else if o.err != nil {
		r.Status = Failed
		r.Failure = o.text()
		r.Diagnostics = boundedDiagnostics(ctx, sb, fileSB)
		if k, ok := sb.(Keeper); ok && fr.opts.KeepFailed {
			fr.keepFile = true
			return fr.keep(ctx, r, k, sess, start, fileSB != nil)
		}
	}
	if err := fr.teardown(ctx, sb, sess); err != nil {
		r.Status = Failed
		r.Failure = strings.TrimPrefix(r.Failure+"\nteardown: "+err.Error(), "\n")
	}
	r.Duration = time.Since(start)
	return r
}

func diagnostics(ctx context.Context, sb, fileSB Sandbox) string {
	var parts []string
	if d := strings.TrimRight(sb.Diagnostics(ctx), "\n"); d != "" {
		parts = append(parts, d)
	}
	if fileSB != nil {
		if d := strings.TrimRight(fileSB.Diagnostics(ctx), "\n"); d != "" {
			parts = append(parts, "from the top level:\n"+d)
		}
	}
	return strings.Join(parts, "\n")
}

// id is the case's ID (the label of its sandbox and thread).
func (fr *fileRun) id(name string) string {
	return CaseResult{File: fr.path, Name: name, Run: fr.n}.ID()
}

func (fr *fileRun) newSession(name string) (*session.Session, *printBuffer) {
	buf := newPrintBuffer()
	s := &session.Session{File: fr.abs, SuiteRoot: fr.rootAbs, Update: fr.opts.Update,
		Out: printWriter{fr: fr, name: name, buf: buf}}
	return s, buf
}

// printWriter takes a case's prints: each is reported as an Output event
// (cut to capped.Report) and kept for the result, unless streamed live.
type printWriter struct {
	fr   *fileRun
	name string
	buf  *printBuffer
}

func (w printWriter) Write(b []byte) (int, error) {
	text := capped.New(capped.Report, "")
	text.Write(b)
	w.fr.r.events.output(w.fr.path, w.name, w.fr.n, text.Seal())
	if w.fr.live {
		return len(b), nil
	}
	return w.buf.Write(b)
}

func (fr *fileRun) newThread(name string, sess *session.Session, sb Sandbox, ld *loader) *starlark.Thread {
	th := &starlark.Thread{Name: name, Print: session.Print, Load: ld.load}
	session.Set(th, sess)
	sb.Bind(th)
	return th
}

// outcome is how a top level or a case ended: its error, and why it was
// cancelled when it was.
type outcome struct {
	err   error
	cause string // "timed out after X", "interrupted" or ""
}

func (o outcome) text() string {
	text := formatError(o.err)
	if o.cause != "" {
		text = o.cause + "\n" + text
	}
	return text
}

// execute runs body on th under the per-case timeout. When the timeout
// expires or ctx is cancelled, it cancels both the session's context (for
// builtins that block) and the thread (for Starlark code).
func (fr *fileRun) execute(parent context.Context, th *starlark.Thread, sess *session.Session, body func() error) outcome {
	var ctx context.Context
	var cancel context.CancelFunc
	if fr.opts.Timeout > 0 {
		ctx, cancel = context.WithTimeout(parent, fr.opts.Timeout)
	} else {
		ctx, cancel = context.WithCancel(parent)
	}
	defer cancel()
	sess.Ctx = ctx
	cause := func() string {
		if parent.Err() != nil {
			return "interrupted"
		}
		return fmt.Sprintf("timed out after %s", fr.opts.Timeout)
	}
	stop := context.AfterFunc(ctx, func() { th.Cancel(cause()) })
	defer stop()

	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("panic: %v\n%s", p, debug.Stack())
			}
		}()
		done <- body()
	}()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		grace := time.NewTimer(cancelGrace)
		defer grace.Stop()
		select {
		case err = <-done:
		case <-grace.C:
			err = fmt.Errorf("did not stop within %s of being cancelled; tearing its sandbox down anyway", cancelGrace)
		}
	}
	if err != nil && ctx.Err() != nil {
		return outcome{err: err, cause: cause()}
	}
	return outcome{err: err}
}

// testNames returns the test_ functions defined at top level (also inside
// a top-level if, for or while), in definition order, each once.
func testNames(stmts []syntax.Stmt, names []string) []string {
	for _, stmt := range stmts {
		switch s := stmt.(type) {
		case *syntax.DefStmt:
			if strings.HasPrefix(s.Name.Name, "test_") && !slices.Contains(names, s.Name.Name) {
				names = append(names, s.Name.Name)
			}
		case *syntax.IfStmt:
			names = testNames(s.True, names)
			names = testNames(s.False, names)
		case *syntax.ForStmt:
			names = testNames(s.Body, names)
		case *syntax.WhileStmt:
			names = testNames(s.Body, names)
		}
	}
	return names
}

// printBuffer keeps what a case prints for the report, cut to
// capped.Report: a case printing in a loop must not fill berth's memory.
// A builtin's goroutine may also write it.
type printBuffer struct {
	mu  sync.Mutex
	buf *capped.Buffer
}

func newPrintBuffer() *printBuffer { return &printBuffer{buf: capped.New(capped.Report, "")} }

func (b *printBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *printBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
