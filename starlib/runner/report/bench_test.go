package report

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"

	"berth/starlib/runner"
)

// nopSandbox is a sandbox that makes nothing: the benchmarks measure the
// runner and its reports, not an engine.
type nopSandbox struct{}

func (nopSandbox) Bind(*starlark.Thread)              {}
func (nopSandbox) Diagnostics(context.Context) string { return "" }
func (nopSandbox) Close(context.Context) error        { return nil }
func nopFactory(context.Context, string, runner.Sandbox) (runner.Sandbox, error) {
	return nopSandbox{}, nil
}

// suite writes files scenario files of cases cases each, every case
// only asserting (and one in ten printing, one in fifty failing).
func suite(b *testing.B, files, cases int) string {
	dir := b.TempDir()
	for f := range files {
		var src strings.Builder
		for c := range cases {
			fmt.Fprintf(&src, "def test_%d():\n    assert.eq(%d + 1, %d)\n", c, c, c+1)
			if c%10 == 0 {
				fmt.Fprintf(&src, "    print(\"case %d says hello\")\n", c)
			}
			if c%50 == 49 {
				src.WriteString("    assert.eq(1, 2)\n")
			}
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%02d.star", f)), []byte(src.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

func runSuite(b *testing.B, dir string, reporters func() []runner.Reporter) {
	for b.Loop() {
		opts := runner.Options{Paths: []string{dir}, Predeclared: runner.CoreModules(), NewSandbox: nopFactory,
			Stdout: io.Discard, Reporters: reporters()}
		sum, err := runner.Test(context.Background(), opts)
		if err != nil || sum.Passed+sum.Failed != 200 {
			b.Fatalf("%v %+v", err, sum.Line())
		}
	}
}

// BenchmarkRunner200 is the runner's overhead for 200 cases that only
// assert (10 files of 20): the target is at most 0.1 s for all 200.
func BenchmarkRunner200(b *testing.B) {
	dir := suite(b, 10, 20)
	runSuite(b, dir, func() []runner.Reporter { return nil })
}

// BenchmarkRunner200Reports is the same suite with -junit and -json on:
// the target is at most 5% more than BenchmarkRunner200.
func BenchmarkRunner200Reports(b *testing.B) {
	dir := suite(b, 10, 20)
	junit := filepath.Join(b.TempDir(), "junit.xml")
	out, err := os.Create(filepath.Join(b.TempDir(), "report.json"))
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	runSuite(b, dir, func() []runner.Reporter {
		j, err := NewJUnit(junit)
		if err != nil {
			b.Fatal(err)
		}
		out.Seek(0, 0)
		bw := bufio.NewWriterSize(out, 64<<10)
		return []runner.Reporter{j, NewJSON(bw), flushAtEnd{bw}}
	})
}

// flushAtEnd flushes the JSON stream's writer, as berth test does.
type flushAtEnd struct{ w *bufio.Writer }

func (flushAtEnd) FileStart(string)                   {}
func (flushAtEnd) CaseStart(string, string, int)      {}
func (flushAtEnd) Output(string, string, int, string) {}
func (flushAtEnd) CaseDone(runner.CaseResult)         {}
func (flushAtEnd) FileDone(string, time.Duration)     {}
func (f flushAtEnd) RunDone(runner.Summary) error     { return f.w.Flush() }

// BenchmarkReports200 is what -junit and -json cost for the 200 cases of
// BenchmarkRunner200 alone, the events played without a runner: under
// load the difference of the two benchmarks above is noise, this is not.
func BenchmarkReports200(b *testing.B) {
	junit := filepath.Join(b.TempDir(), "junit.xml")
	out, err := os.Create(filepath.Join(b.TempDir(), "report.json"))
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	for b.Loop() {
		j, err := NewJUnit(junit)
		if err != nil {
			b.Fatal(err)
		}
		out.Seek(0, 0)
		bw := bufio.NewWriterSize(out, 64<<10)
		rs := []runner.Reporter{j, NewJSON(bw), flushAtEnd{bw}}
		var sum runner.Summary
		for f := range 10 {
			file := fmt.Sprintf("scenarios/f%02d.star", f)
			for _, r := range rs {
				r.FileStart(file)
			}
			for c := range 20 {
				res := runner.CaseResult{File: file, Name: fmt.Sprintf("test_%d", c), Status: runner.Passed, Duration: time.Millisecond}
				if c%10 == 0 {
					res.Output = fmt.Sprintf("case %d says hello\n", c)
				}
				if c%50 == 49 {
					res.Status, res.Failure = runner.Failed, "Traceback (most recent call last):\n  f.star:3:14: in test_x\nError in assert.eq: got 1, want 2"
				}
				for _, r := range rs {
					r.CaseStart(file, res.Name, 1)
					if res.Output != "" {
						r.Output(file, res.Name, 1, res.Output)
					}
					r.CaseDone(res)
				}
				sum.Cases = append(sum.Cases, res)
			}
			for _, r := range rs {
				r.FileDone(file, 20*time.Millisecond)
			}
		}
		for _, r := range rs {
			if err := r.RunDone(sum); err != nil {
				b.Fatal(err)
			}
		}
	}
}
