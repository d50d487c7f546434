package report

import (
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"berth/runtime/capped"
	"berth/starlib/runner"
)

// JSON is the `go test -json` stream (test2json's events): Package is the
// file's path, Test the case's name (runner.CaseResult.CaseName). A test's
// last event is its pass, fail or skip, with Elapsed; its output keeps go
// test's "=== RUN" and "--- FAIL" framing, so that gotestsum,
// go-junit-report and dorny/test-reporter read it as they read go test.
type JSON struct {
	w     io.Writer
	buf   []byte
	err   error
	now   func() time.Time
	files map[string]*jsonFile // the files running
}

// jsonFile is what the stream remembers of a running file.
type jsonFile struct {
	failed bool
	// printed counts the running case's output: past capped.Report the
	// rest is counted and said, not written.
	printed, dropped int
}

// NewJSON returns the JSON stream on w.
func NewJSON(w io.Writer) *JSON { return &JSON{w: w, now: time.Now, files: make(map[string]*jsonFile)} }

func (j *JSON) file(name string) *jsonFile {
	f := j.files[name]
	if f == nil {
		f = new(jsonFile)
		j.files[name] = f
	}
	return f
}

type event struct {
	action, file, test, output string
	elapsed                    float64
	hasElapsed                 bool
}

// emit appends one event as a line of JSON.
func (j *JSON) emit(e event) {
	b := j.buf
	b = append(b, `{"Time":"`...)
	b = j.now().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","Action":"`...)
	b = append(b, e.action...)
	b = append(b, `","Package":`...)
	b = appendJSONString(b, e.file)
	if e.test != "" {
		b = append(b, `,"Test":`...)
		b = appendJSONString(b, e.test)
	}
	if e.hasElapsed {
		b = append(b, `,"Elapsed":`...)
		b = strconv.AppendFloat(b, e.elapsed, 'f', 3, 64)
	}
	if e.action == "output" {
		b = append(b, `,"Output":`...)
		b = appendJSONString(b, e.output)
	}
	j.buf = append(b, "}\n"...)
}

func (j *JSON) output(file, test, text string) {
	j.emit(event{action: "output", file: file, test: test, output: text})
}

func testName(file, name string, run int) string {
	return runner.CaseResult{File: file, Name: name, Run: run}.CaseName()
}

func (j *JSON) FileStart(file string) {
	j.file(file)
	j.emit(event{action: "start", file: file})
}

func (j *JSON) CaseStart(file, name string, run int) {
	test := testName(file, name, run)
	j.emit(event{action: "run", file: file, test: test})
	j.output(file, test, "=== RUN   "+test+"\n")
}

// Output goes to the case (or to the file, for the top level of a file
// with cases), each line indented as go test indents a test's log.
func (j *JSON) Output(file, name string, run int, chunk string) {
	test := ""
	if name != "" {
		test = testName(file, name, run)
	}
	f := j.file(file)
	if f.printed >= capped.Report.Head {
		f.dropped += len(chunk)
		return
	}
	f.printed += len(chunk)
	for line := range strings.Lines(chunk) {
		j.output(file, test, "    "+strings.TrimSuffix(line, "\n")+"\n")
	}
}

func (j *JSON) CaseDone(r runner.CaseResult) {
	test := r.CaseName()
	if r.Status == runner.Skipped || r.Name == "" && r.Status == runner.Failed {
		// Never started (skipped, or a file that failed before its
		// cases): go test still says RUN first.
		j.emit(event{action: "run", file: r.File, test: test})
		j.output(r.File, test, "=== RUN   "+test+"\n")
	}
	f := j.file(r.File)
	if f.dropped > 0 {
		j.output(r.File, test, "    ("+strconv.Itoa(f.dropped)+" bytes of print output left out)\n")
	}
	f.printed, f.dropped = 0, 0
	elapsed := r.Duration.Seconds()
	switch r.Status {
	case runner.Failed:
		f.failed = true
		for line := range strings.Lines(details(r)) {
			j.output(r.File, test, "    "+strings.TrimSuffix(line, "\n")+"\n")
		}
		j.output(r.File, test, "--- FAIL: "+test+" ("+strconv.FormatFloat(elapsed, 'f', 2, 64)+"s)\n")
		j.emit(event{action: "fail", file: r.File, test: test, elapsed: elapsed, hasElapsed: true})
	case runner.Skipped:
		j.output(r.File, test, "--- SKIP: "+test+" ("+strconv.FormatFloat(elapsed, 'f', 2, 64)+"s)\n")
		j.output(r.File, test, "    "+r.SkipReason+"\n")
		j.emit(event{action: "skip", file: r.File, test: test, elapsed: elapsed, hasElapsed: true})
	default:
		j.output(r.File, test, "--- PASS: "+test+" ("+strconv.FormatFloat(elapsed, 'f', 2, 64)+"s)\n")
		j.emit(event{action: "pass", file: r.File, test: test, elapsed: elapsed, hasElapsed: true})
	}
}

// FileDone ends the file's "package" as go test does, and writes the
// file's events out.
func (j *JSON) FileDone(file string, elapsed time.Duration) {
	j.fileDone(file, elapsed.Seconds())
	j.flush()
}

func (j *JSON) fileDone(file string, elapsed float64) {
	failed := j.file(file).failed
	delete(j.files, file)
	secs := strconv.FormatFloat(elapsed, 'f', 3, 64)
	if failed {
		j.output(file, "", "FAIL\n")
		j.output(file, "", "FAIL\t"+file+"\t"+secs+"s\n")
		j.emit(event{action: "fail", file: file, elapsed: elapsed, hasElapsed: true})
	} else {
		j.output(file, "", "PASS\n")
		j.output(file, "", "ok  \t"+file+"\t"+secs+"s\n")
		j.emit(event{action: "pass", file: file, elapsed: elapsed, hasElapsed: true})
	}
}

func (j *JSON) flush() {
	if j.err == nil && len(j.buf) > 0 {
		_, j.err = j.w.Write(j.buf)
	}
	j.buf = j.buf[:0]
}

func (j *JSON) RunDone(runner.Summary) error {
	j.flush()
	return j.err
}

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes
// U+FFFD, as encoding/json does.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
