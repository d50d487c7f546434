package report

import (
	"io"
	"strconv"
	"strings"
	"time"

	"berth/starlib/runner"
)

// TAP is TAP version 13: the version line, a line per case ("ok N - ID",
// "not ok N - ID", "# SKIP reason"), a YAML block under a failure, and
// the plan "1..N" last (the count is known only at the end).
type TAP struct {
	w   io.Writer
	buf []byte
	n   int
	err error
}

// NewTAP returns the TAP report on w.
func NewTAP(w io.Writer) *TAP {
	return &TAP{w: w, buf: []byte("TAP version 13\n")}
}

func (*TAP) FileStart(string)                   {}
func (*TAP) CaseStart(string, string, int)      {}
func (*TAP) Output(string, string, int, string) {}

func (t *TAP) CaseDone(r runner.CaseResult) {
	t.n++
	b := t.buf
	if r.Status == runner.Failed {
		b = append(b, "not "...)
	}
	b = append(b, "ok "...)
	b = strconv.AppendInt(b, int64(t.n), 10)
	b = append(b, " - "...)
	b = append(b, tapEscape(r.ID())...)
	switch r.Status {
	case runner.Skipped:
		b = append(b, " # SKIP "...)
		b = append(b, tapEscape(r.SkipReason)...)
		b = append(b, '\n')
	case runner.Failed:
		b = append(b, "\n  ---\n  message: "...)
		b = strconv.AppendQuote(b, message(r))
		b = append(b, "\n  severity: fail\n  duration_ms: "...)
		b = strconv.AppendInt(b, r.Duration.Milliseconds(), 10)
		b = append(b, "\n  data:\n    failure: |\n"...)
		b = appendBlock(b, details(r), "      ")
		if r.Output != "" {
			b = append(b, "    output: |\n"...)
			b = appendBlock(b, r.Output, "      ")
		}
		b = append(b, "  ...\n"...)
	default:
		b = append(b, '\n')
	}
	t.buf = b
}

// tapEscape keeps a description on its line and "#" from starting a
// directive.
func tapEscape(s string) string {
	return strings.NewReplacer("\n", " ", "\r", " ", "#", `\#`).Replace(s)
}

// appendBlock appends text as the lines of a YAML literal block.
// YAML holds no control characters: they become U+FFFD.
func appendBlock(b []byte, text, indent string) []byte {
	text = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return '\uFFFD'
		}
		return r
	}, text)
	for line := range strings.Lines(strings.TrimRight(text, "\n")) {
		b = append(b, indent...)
		b = append(b, strings.TrimSuffix(line, "\n")...)
		b = append(b, '\n')
	}
	return b
}

func (t *TAP) FileDone(string, time.Duration) { t.flush() }

func (t *TAP) flush() {
	if t.err == nil && len(t.buf) > 0 {
		_, t.err = t.w.Write(t.buf)
	}
	t.buf = t.buf[:0]
}

func (t *TAP) RunDone(sum runner.Summary) error {
	t.buf = append(t.buf, "1.."...)
	t.buf = strconv.AppendInt(t.buf, int64(t.n), 10)
	t.buf = append(t.buf, '\n')
	if sum.Interrupted {
		t.buf = append(t.buf, "Bail out! interrupted\n"...)
	}
	t.flush()
	return t.err
}
