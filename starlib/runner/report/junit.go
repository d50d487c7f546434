package report

import (
	"fmt"
	"os"
	"strconv"
	"time"
	"unicode/utf8"

	"berth/starlib/runner"
)

// JUnit writes JUnit XML as Jenkins, GitLab and GitHub's reporters read
// it: a <testsuite> per file, a <testcase classname="FILE" name="CASE">
// per case, <failure message=...> holding the failure, the backtrace and
// the sandbox's diagnostics, <skipped message=...>, the case's print
// output in <system-out>. Names are unique within a file (GitLab drops
// duplicates): -count repeats are "#N", and a second result of the file's
// own (a failed teardown) gets " (2)".
//
// The file is written whole at the end of the run, also an interrupted
// one (with the results so far), to a temporary file renamed into place.
type JUnit struct {
	path string
	now  func() time.Time
}

// NewJUnit checks that path can be written, so that a bad -junit fails
// before anything runs, and returns the reporter that writes it when the
// run is done.
func NewJUnit(path string) (*JUnit, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("-junit %q: %w", path, unwrapPath(err))
	}
	f.Close()
	return &JUnit{path: path, now: time.Now}, nil
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func (*JUnit) FileStart(string)                   {}
func (*JUnit) CaseStart(string, string, int)      {}
func (*JUnit) Output(string, string, int, string) {}
func (*JUnit) CaseDone(runner.CaseResult)         {}
func (*JUnit) FileDone(string, time.Duration)     {}
func (j *JUnit) RunDone(sum runner.Summary) error { return j.write(sum) }

// Encode returns the JUnit XML of sum.
func Encode(sum runner.Summary, stamp time.Time) []byte {
	b := make([]byte, 0, 512+256*len(sum.Cases))
	b = append(b, xmlHeader...)
	var total time.Duration
	for _, c := range sum.Cases {
		total += c.Duration
	}
	b = fmt.Appendf(b, `<testsuites name="berth" tests="%d" failures="%d" errors="0" skipped="%d" time="%s">`+"\n",
		len(sum.Cases), sum.Failed, sum.Skipped, secs(total))
	for start := 0; start < len(sum.Cases); {
		file := sum.Cases[start].File
		end := start
		var failed, skipped int
		var t time.Duration
		for end < len(sum.Cases) && sum.Cases[end].File == file {
			switch sum.Cases[end].Status {
			case runner.Failed:
				failed++
			case runner.Skipped:
				skipped++
			}
			t += sum.Cases[end].Duration
			end++
		}
		b = append(b, `  <testsuite name=`...)
		b = appendAttr(b, file)
		b = fmt.Appendf(b, ` tests="%d" failures="%d" errors="0" skipped="%d" time="%s" timestamp="%s">`+"\n",
			end-start, failed, skipped, secs(t), stamp.UTC().Format("2006-01-02T15:04:05"))
		seen := make(map[string]bool)
		for _, c := range sum.Cases[start:end] {
			name := c.CaseName()
			for n := 2; seen[name]; n++ {
				name = c.CaseName() + " (" + strconv.Itoa(n) + ")"
			}
			seen[name] = true
			b = appendCase(b, c, name)
		}
		b = append(b, "  </testsuite>\n"...)
		start = end
	}
	return append(b, "</testsuites>\n"...)
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

func appendCase(b []byte, c runner.CaseResult, name string) []byte {
	b = append(b, `    <testcase classname=`...)
	b = appendAttr(b, c.File)
	b = append(b, ` name=`...)
	b = appendAttr(b, name)
	b = append(b, ` time="`...)
	b = append(b, secs(c.Duration)...)
	b = append(b, `">`+"\n"...)
	switch c.Status {
	case runner.Failed:
		b = append(b, `      <failure message=`...)
		b = appendAttr(b, message(c))
		b = append(b, ` type="failure">`...)
		b = appendText(b, details(c))
		b = append(b, "</failure>\n"...)
	case runner.Skipped:
		b = append(b, `      <skipped message=`...)
		b = appendAttr(b, c.SkipReason)
		b = append(b, "/>\n"...)
	}
	if c.Output != "" {
		b = append(b, "      <system-out>"...)
		b = appendText(b, c.Output)
		b = append(b, "</system-out>\n"...)
	}
	return append(b, "    </testcase>\n"...)
}

func secs(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }

// write writes the report to a temporary file beside path and renames it
// into place: a reader never sees half a report.
func (j *JUnit) write(sum runner.Summary) error {
	data := Encode(sum, j.now())
	tmp := j.path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("-junit %q: %w", j.path, err)
	}
	if err := os.Rename(tmp, j.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("-junit %q: %w", j.path, err)
	}
	return nil
}

// appendAttr appends s as a double-quoted attribute value.
func appendAttr(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendEscaped(b, s, true)
	return append(b, '"')
}

func appendText(b []byte, s string) []byte { return appendEscaped(b, s, false) }

// appendEscaped escapes s for XML 1.0: markup characters as entities, and
// what XML cannot hold at all (control characters such as a terminal's
// ESC, invalid UTF-8) as U+FFFD. In an attribute, line breaks and tabs are
// character references, or a reader would turn them into spaces.
func appendEscaped(b []byte, s string, attr bool) []byte {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '&':
			b = append(b, "&amp;"...)
		case r == '<':
			b = append(b, "&lt;"...)
		case r == '>':
			b = append(b, "&gt;"...)
		case r == '"' && attr:
			b = append(b, "&quot;"...)
		case (r == '\n' || r == '\r' || r == '\t') && attr:
			b = fmt.Appendf(b, "&#x%X;", r)
		case r == '\n' || r == '\t':
			b = append(b, byte(r))
		case r == '\r':
			b = append(b, "&#xD;"...)
		case r == utf8.RuneError && size == 1, r < 0x20, r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r <= 0xDFFF:
			b = append(b, "\uFFFD"...)
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return b
}
