package runner

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"berth/runtime/capped"
)

// printer writes the report. Each case's block is one write under a lock,
// so that files running in parallel never mix their lines.
type printer struct {
	mu      sync.Mutex
	w       io.Writer
	verbose bool
}

func newPrinter(opts *Options) *printer {
	w := opts.Stdout
	if w == nil {
		w = io.Discard
	}
	return &printer{w: w, verbose: opts.Verbose}
}

func (p *printer) write(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	io.WriteString(p.w, s)
}

// caseDone reports a finished case; a skipped one only when verbose.
func (p *printer) caseDone(r CaseResult) {
	if r.Status == Skipped {
		if p.verbose {
			p.write(fmt.Sprintf("SKIP %s (%s)\n", r.ID(), r.SkipReason))
		}
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s (%.2fs)\n", r.Status, r.ID(), r.Duration.Seconds())
	if r.Status == Failed {
		writeIndented(&b, r.Failure, "    ")
	}
	if r.Output != "" && (r.Status == Failed || p.verbose) {
		b.WriteString("    print output:\n")
		writeIndented(&b, r.Output, "        ")
	}
	if r.Status == Failed && r.Diagnostics != "" {
		b.WriteString("    sandbox:\n")
		writeIndented(&b, r.Diagnostics, "        ")
	}
	p.write(b.String())
}

func writeIndented(b *strings.Builder, text, indent string) {
	for line := range strings.Lines(strings.TrimRight(text, "\n")) {
		b.WriteString(indent)
		b.WriteString(strings.TrimSuffix(line, "\n"))
		b.WriteByte('\n')
	}
}

// liveWriter is where print() goes when output is streamed (RunFile).
// Each write (one print) is cut to capped.Report.
func (p *printer) liveWriter() io.Writer { return liveWriter{p} }

type liveWriter struct{ p *printer }

func (w liveWriter) Write(b []byte) (int, error) {
	text := capped.New(capped.Report, "")
	text.Write(b)
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	if _, err := io.WriteString(w.p.w, text.Seal()); err != nil {
		return 0, err
	}
	return len(b), nil
}
