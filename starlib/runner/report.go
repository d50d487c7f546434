package runner

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Reporter receives the events of a run. The runner calls a Reporter from
// one goroutine at a time (it holds a lock around every call), so an
// implementation needs no locking of its own; it must not block for long,
// since files running in parallel wait for it.
//
// For each file: FileStart, then for each case CaseStart (not for a case
// skipped without running, nor for a top level that failed before its
// cases), Output for each print, CaseDone; then FileDone. RunDone is last,
// also when the run was interrupted.
type Reporter interface {
	FileStart(file string)
	// CaseStart says a case starts; name is "" for a file whose top
	// level is its one case. run counts -count repeats from 1.
	CaseStart(file, name string, run int)
	// Output is one print of the case (name "" for the top level of the
	// file), cut to capped.Report. The same text is in CaseResult.Output.
	Output(file, name string, run int, chunk string)
	CaseDone(r CaseResult)
	FileDone(file string, elapsed time.Duration)
	// RunDone ends the run; its error (a report that could not be
	// written) is returned by Test.
	RunDone(sum Summary) error
}

// events serialises the calls to the run's reporters.
type events struct {
	mu sync.Mutex
	rs []Reporter
}

func newEvents(opts *Options, live bool) *events {
	var rs []Reporter
	if opts.Stdout != nil {
		rs = append(rs, newHuman(opts.Stdout, opts.Verbose, live))
	}
	rs = append(rs, opts.Reporters...)
	return &events{rs: rs}
}

func (e *events) fileStart(file string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.rs {
		r.FileStart(file)
	}
}

func (e *events) caseStart(file, name string, run int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.rs {
		r.CaseStart(file, name, run)
	}
}

func (e *events) output(file, name string, run int, chunk string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.rs {
		r.Output(file, name, run, chunk)
	}
}

func (e *events) caseDone(res CaseResult) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.rs {
		r.CaseDone(res)
	}
}

func (e *events) fileDone(file string, elapsed time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.rs {
		r.FileDone(file, elapsed)
	}
}

func (e *events) runDone(sum Summary) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var errs []error
	for _, r := range e.rs {
		if err := r.RunDone(sum); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("write report: %w", errors.Join(errs...))
	}
	return nil
}

// human is the report berth prints: a line per case, a block under a
// failure, the summary line last.
//
// Files running in parallel are grouped: the first file started writes
// as it goes, the others' blocks wait in a buffer until it has ended; then
// the finished ones are written whole, and the oldest one still running
// takes over.
type human struct {
	w       io.Writer
	verbose bool
	live    bool // print() is shown as it happens (berth run)

	active  string
	started []string // files after active, in start order
	buf     map[string]*bytes.Buffer
	done    map[string]bool
}

// NewHuman returns the human report on w, for a Reporter list: verbose
// shows passing cases' output and skipped cases.
func NewHuman(w io.Writer, verbose bool) Reporter { return newHuman(w, verbose, false) }

func newHuman(w io.Writer, verbose, live bool) *human {
	return &human{w: w, verbose: verbose, live: live, buf: make(map[string]*bytes.Buffer), done: make(map[string]bool)}
}

func (h *human) FileStart(file string) {
	if h.active == "" {
		h.active = file
		return
	}
	h.started = append(h.started, file)
	h.buf[file] = new(bytes.Buffer)
}

func (h *human) write(file, s string) {
	if b, ok := h.buf[file]; ok && file != h.active {
		b.WriteString(s)
		return
	}
	io.WriteString(h.w, s)
}

func (h *human) CaseStart(string, string, int) {}

func (h *human) Output(file, _ string, _ int, chunk string) {
	if h.live {
		h.write(file, chunk)
	}
}

// CaseDone reports a finished case; a skipped one only when verbose.
func (h *human) CaseDone(r CaseResult) {
	if r.Status == Skipped {
		if h.verbose {
			h.write(r.File, fmt.Sprintf("SKIP %s (%s)\n", r.ID(), r.SkipReason))
		}
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s (%.2fs)\n", r.Status, r.ID(), r.Duration.Seconds())
	if r.Status == Failed {
		writeIndented(&b, r.Failure, "    ")
	}
	if !h.live && r.Output != "" && (r.Status == Failed || h.verbose) {
		b.WriteString("    print output:\n")
		writeIndented(&b, r.Output, "        ")
	}
	if r.Status == Failed && r.Diagnostics != "" {
		b.WriteString("    sandbox:\n")
		writeIndented(&b, r.Diagnostics, "        ")
	}
	if r.Kept != "" {
		b.WriteString("    kept (-work):\n")
		writeIndented(&b, r.Kept, "        ")
	}
	h.write(r.File, b.String())
}

func (h *human) FileDone(file string, _ time.Duration) {
	if file != h.active {
		h.done[file] = true
		return
	}
	h.active = ""
	rest := h.started[:0]
	for _, f := range h.started { // the finished ones, whole
		if h.done[f] {
			h.w.Write(h.buf[f].Bytes())
			delete(h.buf, f)
			delete(h.done, f)
		} else {
			rest = append(rest, f)
		}
	}
	h.started = rest
	if len(h.started) > 0 { // the oldest running one takes over
		f := h.started[0]
		h.started = h.started[1:]
		h.w.Write(h.buf[f].Bytes())
		delete(h.buf, f)
		h.active = f
	}
}

func (h *human) RunDone(sum Summary) error {
	for _, f := range h.started { // only when a file never said it was done
		h.w.Write(h.buf[f].Bytes())
	}
	if sum.Interrupted {
		io.WriteString(h.w, "interrupted\n")
	}
	io.WriteString(h.w, sum.Line()+"\n")
	return nil // as before reporters: a closed stdout does not fail the run
}

func writeIndented(b *strings.Builder, text, indent string) {
	for line := range strings.Lines(strings.TrimRight(text, "\n")) {
		b.WriteString(indent)
		b.WriteString(strings.TrimSuffix(line, "\n"))
		b.WriteByte('\n')
	}
}
