package runner

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// runTree writes files into a fresh directory, makes it the working
// directory (so that reported paths are short and stable) and runs Test on
// paths. It returns the summary, the report and Test's error.
func runTree(t *testing.T, e *fakeEngine, opts Options, files map[string]string, paths ...string) (Summary, string, error) {
	t.Helper()
	t.Chdir(writeTree(t, files))
	var out bytes.Buffer
	opts.Paths = paths
	opts.Stdout = &out
	sum, err := Test(context.Background(), opts)
	e.checkAllClosedOnce(t)
	return sum, out.String(), err
}

// ids lists "STATUS id" for each case.
func ids(sum Summary) []string {
	var out []string
	for _, c := range sum.Cases {
		out = append(out, c.Status.String()+" "+c.ID())
	}
	return out
}

func wantIDs(t *testing.T, sum Summary, want ...string) {
	t.Helper()
	if got := ids(sum); !reflect.DeepEqual(got, want) {
		t.Errorf("cases:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func lastLine(report string) string {
	lines := strings.Split(strings.TrimRight(report, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestCasesRunInDefinitionOrderEachInItsOwnSandbox(t *testing.T) {
	e := newFakeEngine()
	sum, report, err := runTree(t, e, e.options(nil), map[string]string{
		"s/order.star": `
mark("top")
def test_zebra():
    mark("zebra")
def helper():
    pass
def test_apple():
    mark("apple")
if True:
    def test_middle():
        mark("middle")
def test_mango():
    mark("mango")
`,
	}, "s")
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, sum,
		"PASS s/order.star::test_zebra",
		"PASS s/order.star::test_apple",
		"PASS s/order.star::test_middle",
		"PASS s/order.star::test_mango")
	wantMarks := []string{
		"s/order.star: top",
		"s/order.star::test_zebra: zebra",
		"s/order.star::test_apple: apple",
		"s/order.star::test_middle: middle",
		"s/order.star::test_mango: mango",
	}
	if got := e.markList(); !reflect.DeepEqual(got, wantMarks) {
		t.Errorf("marks (sandbox: value) = %q, want %q", got, wantMarks)
	}
	wantCreated := []string{"s/order.star", "s/order.star::test_zebra", "s/order.star::test_apple", "s/order.star::test_middle", "s/order.star::test_mango"}
	if got := e.createdLabels(); !reflect.DeepEqual(got, wantCreated) {
		t.Errorf("sandboxes created = %q, want %q", got, wantCreated)
	}
	if got := lastLine(report); got != "4 passed, 0 failed" {
		t.Errorf("last line = %q, want %q", got, "4 passed, 0 failed")
	}
}

func TestConditionalDefsAndNonFunctions(t *testing.T) {
	e := newFakeEngine()
	opts := e.options(nil)
	opts.Verbose = true
	sum, report, err := runTree(t, e, opts, map[string]string{"c.star": `
if False:
    def test_needs_feature():
        pass
def test_replaced():
    pass
test_replaced = 3
`}, "c.star")
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, sum, "SKIP c.star::test_needs_feature", "FAIL c.star::test_replaced")
	if want := "test_replaced is not a function (got int)"; sum.Cases[1].Failure != want {
		t.Errorf("failure = %q, want %q", sum.Cases[1].Failure, want)
	}
	if !strings.Contains(report, "SKIP c.star::test_needs_feature (its def did not run)\n") {
		t.Errorf("verbose report lacks the skip and its reason:\n%s", report)
	}
}

func TestReportAndSummary(t *testing.T) {
	e := newFakeEngine()
	sum, report, err := runTree(t, e, e.options(nil), map[string]string{
		"a.star": `
def test_ok():
    print("quiet unless verbose")
def test_bad():
    print("shown on failure")
    assert.eq(1, 2)
`,
		"b.star": `print("no cases here")`,
	}, ".")
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, sum, "PASS a.star::test_ok", "FAIL a.star::test_bad", "PASS b.star")
	if sum.Passed != 2 || sum.Failed != 1 || sum.Skipped != 0 || sum.OK() {
		t.Errorf("summary = %+v, want 2 passed, 1 failed, not OK", sum)
	}
	pattern := `^PASS a.star::test_ok \(\d+\.\d\ds\)
FAIL a.star::test_bad \(\d+\.\d\ds\)
    Traceback \(most recent call last\):
      a.star:6:14: in test_bad
    Error in assert.eq: got 1, want 2
    print output:
        shown on failure
    sandbox:
        container web of a.star::test_bad: exited \(1\)
          last log line
        from the top level:
        container web of a.star: exited \(1\)
          last log line
PASS b.star \(\d+\.\d\ds\)
2 passed, 1 failed
$`
	if !regexp.MustCompile(pattern).MatchString(report) {
		t.Errorf("report:\n%s\nwant it to match:\n%s", report, pattern)
	}
	if strings.Contains(report, "quiet unless verbose") || strings.Contains(report, "no cases here") {
		t.Errorf("a passing case's print output is shown without -v:\n%s", report)
	}
	if got := sum.Cases[0].Output; got != "quiet unless verbose\n" {
		t.Errorf("Output of test_ok = %q, want it kept for reporters", got)
	}
}

func TestVerboseShowsOutputAndSkips(t *testing.T) {
	e := newFakeEngine()
	opts := e.options(nil)
	opts.Verbose = true
	opts.Run = regexp.MustCompile("test_one")
	_, report, err := runTree(t, e, opts, map[string]string{
		"v.star": `
print("from the top level")
def test_one():
    print("from test_one")
def test_two():
    pass
`,
	}, "v.star")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"    print output:\n        from the top level\n        from test_one\n",
		"SKIP v.star::test_two (not selected by -run)\n",
		"1 passed, 0 failed, 1 skipped\n",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("verbose report lacks %q:\n%s", want, report)
		}
	}
}

func TestRunFilter(t *testing.T) {
	e := newFakeEngine()
	opts := e.options(nil)
	opts.Run = regexp.MustCompile(`net.*::test_ping|solo`)
	sum, report, err := runTree(t, e, opts, map[string]string{
		"net.star":   "def test_ping():\n    pass\ndef test_pong():\n    pass\n",
		"other.star": "mark('must not run')\ndef test_ping():\n    pass\n",
		"solo.star":  "mark('solo top level')\n",
	}, ".")
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, sum,
		"PASS net.star::test_ping",
		"SKIP net.star::test_pong",
		"SKIP other.star::test_ping",
		"PASS solo.star")
	if got := lastLine(report); got != "2 passed, 0 failed, 2 skipped" {
		t.Errorf("last line = %q", got)
	}
	for _, label := range e.createdLabels() {
		if strings.HasPrefix(label, "other.star") || label == "net.star::test_pong" {
			t.Errorf("a sandbox was made for unselected %q", label)
		}
	}
	if strings.Contains(report, "SKIP") {
		t.Errorf("skipped cases listed without -v:\n%s", report)
	}
}

func TestLoad(t *testing.T) {
	e := newFakeEngine()
	sum, report, err := runTree(t, e, e.options(nil), map[string]string{
		"suite/lib/common.star": `
load("local.star", "suffix")
mark("common loaded")
items = [1]
def greet(name):
    return "hello " + name + suffix
`,
		"suite/lib/local.star": `suffix = "!"`,
		"suite/net/web.star": `
load("//lib/common.star", "greet", "items")
load("../lib/common.star", greet2 = "greet")
load("_helper.star", "twice")
state = []
def test_greet():
    assert.eq(greet("db"), "hello db!")
    assert.eq(twice(greet2("x")), "hello x!hello x!")
def test_globals_are_frozen():
    assert.fails(lambda: items.append(2), "frozen")
    assert.fails(lambda: state.append(2), "frozen")
`,
		"suite/net/_helper.star": "def twice(s):\n    return s + s\n",
	}, "suite")
	if err != nil {
		t.Fatalf("%v\n%s", err, report)
	}
	// lib/ and _helper.star are not scenarios of their own.
	wantIDs(t, sum,
		"PASS suite/net/web.star::test_greet",
		"PASS suite/net/web.star::test_globals_are_frozen")
	if got := e.markList(); len(got) != 1 || got[0] != "suite/net/web.star: common loaded" {
		t.Errorf("marks = %q, want common.star's top level run once, in the file-level sandbox", got)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		path  string
		want  []string // in order
	}{
		{
			name: "cycle",
			files: map[string]string{
				"c/a.star": "load(\"b.star\", \"x\")\n",
				"c/b.star": "load(\"a.star\", \"y\")\nx = 1\n",
			},
			path: "c/a.star",
			want: []string{"Error: cannot load b.star: cannot load a.star: cycle in load graph: c/a.star -> c/b.star -> c/a.star"},
		},
		{
			name:  "missing file",
			files: map[string]string{"m/a.star": "load(\"//nope.star\", \"x\")\n"},
			path:  "m/a.star",
			want:  []string{"m/a.star:1:1: in <toplevel>", "Error: cannot load //nope.star: open m/nope.star: no such file or directory"},
		},
		{
			name:  "missing name",
			files: map[string]string{"n/a.star": "load(\"b.star\", \"nme\")\n", "n/b.star": "name = 1\n"},
			path:  "n/a.star",
			want:  []string{"load: name nme not found in module b.star (did you mean name?)"},
		},
		{
			name: "failure inside a loaded top level shows its frames",
			files: map[string]string{
				"f/a.star":   "\nload(\"lib.star\", \"x\")\n",
				"f/lib.star": "def boom():\n    fail(\"bad lib\")\n\nx = boom()\n",
			},
			path: "f/a.star",
			want: []string{
				"Traceback (most recent call last):",
				"  f/a.star:2:1: in <toplevel>",
				"  f/lib.star:4:9: in <toplevel>",
				"  f/lib.star:2:9: in boom",
				"Error in fail: cannot load lib.star: fail: bad lib",
			},
		},
		{
			name:  "syntax error in a loaded file",
			files: map[string]string{"g/a.star": "load(\"lib.star\", \"x\")\n", "g/lib.star": "x = (\n"},
			path:  "g/a.star",
			want:  []string{"cannot load lib.star: g/lib.star:2:1: got end of file, want primary expression"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newFakeEngine()
			sum, report, err := runTree(t, e, e.options(nil), tt.files, tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Failed != 1 || len(sum.Cases) != 1 || sum.Cases[0].Name != "" {
				t.Fatalf("want one failed case named after the file, got:\n%s", report)
			}
			checkInOrder(t, sum.Cases[0].Failure, tt.want)
		})
	}
}

func checkInOrder(t *testing.T, text string, want []string) {
	t.Helper()
	rest := text
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("text lacks %q (in order):\n%s", w, text)
		}
		rest = rest[i+len(w):]
	}
}

func TestBacktraceThroughLoadedFile(t *testing.T) {
	e := newFakeEngine()
	sum, _, err := runTree(t, e, e.options(nil), map[string]string{
		"bt/lib/checks.star": `
def check_port(port):
    _really_check(port)

def _really_check(port):
    assert.eq(port, 80, msg="web port")
`,
		"bt/web.star": `load("//lib/checks.star", "check_port")

def test_port():
    ports = [8080]
    check_port(ports[0])
`,
	}, "bt")
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, sum, "FAIL bt/web.star::test_port")
	want := `Traceback (most recent call last):
  bt/web.star:5:15: in test_port
  bt/lib/checks.star:3:18: in check_port
  bt/lib/checks.star:6:14: in _really_check
Error in assert.eq: web port: got 8080, want 80`
	if got := sum.Cases[0].Failure; got != want {
		t.Errorf("failure:\n%s\nwant:\n%s", got, want)
	}
}

func TestFileLevelFailures(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		want     string
		wantIDs  []string
		wantLast string
		wantSB   []string // sandboxes that must have been made
	}{
		{
			name: "syntax error", src: "def test_a(:\n    pass\n",
			want:    "bad.star:1:13: got ':', want ')'",
			wantIDs: []string{"FAIL bad.star"}, wantLast: "0 passed, 1 failed",
		},
		{
			name: "undefined names", src: "def test_a():\n    nope()\n    nada()\n",
			want:    "bad.star:2:5: undefined: nope (did you mean None?)\nbad.star:3:5: undefined: nada",
			wantIDs: []string{"FAIL bad.star", "SKIP bad.star::test_a"}, wantLast: "0 passed, 1 failed, 1 skipped",
		},
		{
			name: "top level fails", src: "def test_a():\n    pass\nfail('setup broke')\n",
			want:    "Error in fail: setup broke",
			wantIDs: []string{"FAIL bad.star", "SKIP bad.star::test_a"}, wantLast: "0 passed, 1 failed, 1 skipped",
			wantSB: []string{"bad.star"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newFakeEngine()
			sum, report, err := runTree(t, e, e.options(nil), map[string]string{"bad.star": tt.src}, "bad.star")
			if err != nil {
				t.Fatal(err)
			}
			wantIDs(t, sum, tt.wantIDs...)
			if !strings.Contains(sum.Cases[0].Failure, tt.want) {
				t.Errorf("failure = %q, want it to contain %q", sum.Cases[0].Failure, tt.want)
			}
			if got := e.createdLabels(); !reflect.DeepEqual(got, tt.wantSB) {
				t.Errorf("sandboxes = %q, want %q", got, tt.wantSB)
			}
			if got := lastLine(report); got != tt.wantLast {
				t.Errorf("last line = %q, want %q", got, tt.wantLast)
			}
		})
	}
}

func TestSandboxFailures(t *testing.T) {
	t.Run("create", func(t *testing.T) {
		e := newFakeEngine()
		e.failNew = "x.star::test_a"
		sum, _, err := runTree(t, e, e.options(nil), map[string]string{"x.star": "def test_a():\n    pass\ndef test_b():\n    pass\n"}, "x.star")
		if err != nil {
			t.Fatal(err)
		}
		wantIDs(t, sum, "FAIL x.star::test_a", "PASS x.star::test_b")
		if want := "create sandbox: no room for x.star::test_a"; sum.Cases[0].Failure != want {
			t.Errorf("failure = %q, want %q", sum.Cases[0].Failure, want)
		}
	})
	t.Run("close of a case", func(t *testing.T) {
		e := newFakeEngine()
		e.failClose = "x.star::test_a"
		sum, _, err := runTree(t, e, e.options(nil), map[string]string{"x.star": "def test_a():\n    pass\n"}, "x.star")
		if err != nil {
			t.Fatal(err)
		}
		wantIDs(t, sum, "FAIL x.star::test_a")
		if want := "teardown: close sandbox: container web would not die"; sum.Cases[0].Failure != want {
			t.Errorf("failure = %q, want %q", sum.Cases[0].Failure, want)
		}
	})
	t.Run("close of the top level", func(t *testing.T) {
		e := newFakeEngine()
		e.failClose = "x.star"
		sum, _, err := runTree(t, e, e.options(nil), map[string]string{"x.star": "def test_a():\n    pass\n"}, "x.star")
		if err != nil {
			t.Fatal(err)
		}
		wantIDs(t, sum, "PASS x.star::test_a", "FAIL x.star")
		if want := "teardown of the top level: close sandbox: container web would not die"; sum.Cases[1].Failure != want {
			t.Errorf("failure = %q, want %q", sum.Cases[1].Failure, want)
		}
	})
}

func TestPanicInBuiltinFailsTheCase(t *testing.T) {
	e := newFakeEngine()
	sum, _, err := runTree(t, e, e.options(nil), map[string]string{"p.star": "def test_a():\n    explode()\ndef test_b():\n    pass\n"}, "p.star")
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, sum, "FAIL p.star::test_a", "PASS p.star::test_b")
	if !strings.HasPrefix(sum.Cases[0].Failure, "panic: kaboom\n") {
		t.Errorf("failure = %q, want the panic and its stack", sum.Cases[0].Failure)
	}
}

func TestTimeout(t *testing.T) {
	e := newFakeEngine()
	opts := e.options(nil)
	opts.Timeout = 20 * time.Millisecond
	sum, report, err := runTree(t, e, opts, map[string]string{"t.star": `
def test_blocked_in_builtin():
    block()
def test_busy_loop():
    while True:
        pass
def test_quick():
    pass
`}, "t.star")
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, sum, "FAIL t.star::test_blocked_in_builtin", "FAIL t.star::test_busy_loop", "PASS t.star::test_quick")
	checkInOrder(t, sum.Cases[0].Failure, []string{"timed out after 20ms\n", "t.star:3:10: in test_blocked_in_builtin", "Error in block: context deadline exceeded"})
	checkInOrder(t, sum.Cases[1].Failure, []string{"timed out after 20ms\n", ": in test_busy_loop", "Starlark computation cancelled: timed out after 20ms"})
	if got := lastLine(report); got != "1 passed, 2 failed" {
		t.Errorf("last line = %q", got)
	}
}

func TestInterrupt(t *testing.T) {
	e := newFakeEngine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := e.options(cancel)
	t.Chdir(writeTree(t, map[string]string{
		"a.star": "def test_first():\n    pass\ndef test_interrupted():\n    interrupt()\ndef test_never():\n    mark('never')\n",
		"b.star": "mark('b never runs')\n",
	}))
	var out bytes.Buffer
	opts.Paths = []string{"."}
	opts.Stdout = &out
	sum, err := Test(ctx, opts)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	wantIDs(t, sum, "PASS a.star::test_first", "FAIL a.star::test_interrupted", "SKIP a.star::test_never")
	checkInOrder(t, sum.Cases[1].Failure, []string{"interrupted\n", "Error in interrupt: context canceled"})
	if !sum.Interrupted || sum.OK() {
		t.Errorf("summary = %+v, want Interrupted", sum)
	}
	if !strings.HasSuffix(out.String(), "\ninterrupted\n1 passed, 1 failed, 1 skipped\n") {
		t.Errorf("report does not end with the interruption and the summary:\n%s", out.String())
	}
	if got := e.markList(); len(got) != 0 {
		t.Errorf("marks = %q: cases or files ran after the interrupt", got)
	}
	e.checkAllClosedOnce(t)
}

// Files run in parallel, yet each case's block of lines is written whole.
func TestParallelFilesDoNotInterleave(t *testing.T) {
	files := make(map[string]string)
	const nfiles = 8
	for i := range nfiles {
		name := string(rune('a'+i)) + ".star"
		files[name] = `
def test_noisy():
    for i in range(200):
        print("` + name + ` line %d" % i)
    fail("` + name + ` fails")
`
	}
	e := newFakeEngine()
	opts := e.options(nil)
	opts.Parallel = 4
	sum, report, err := runTree(t, e, opts, files, ".")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed != nfiles {
		t.Fatalf("failed = %d, want %d", sum.Failed, nfiles)
	}
	var current string // the file whose block is being read
	blocks := 0
	for _, line := range strings.Split(strings.TrimRight(report, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "FAIL "):
			current = strings.TrimSuffix(strings.Fields(line)[1], "::test_noisy")
			blocks++
		case strings.HasPrefix(line, "    "):
			if f := strings.Fields(line)[0]; strings.HasSuffix(f, ".star") && f != current {
				t.Fatalf("line %q of %s appears inside the block of %s:\n%s", line, f, current, report)
			}
		case line == sum.Line():
		default:
			t.Fatalf("unexpected report line %q", line)
		}
	}
	if blocks != nfiles {
		t.Errorf("%d FAIL blocks, want %d", blocks, nfiles)
	}
}

func TestSessionState(t *testing.T) {
	e := newFakeEngine()
	opts := e.options(nil)
	opts.Update = true
	dir := writeTree(t, map[string]string{"suite/sub/s.star": `
file, root, update = info()
def test_info():
    assert.eq([file, root, update], info())
    mark(file)
    mark(root)
    mark(update)
`})
	t.Chdir(dir)
	opts.Paths = []string{"suite"}
	if _, err := Test(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"suite/sub/s.star::test_info: " + filepath.Join(dir, "suite/sub/s.star"),
		"suite/sub/s.star::test_info: " + filepath.Join(dir, "suite"),
		"suite/sub/s.star::test_info: True",
	}
	if got := e.markList(); !reflect.DeepEqual(got, want) {
		t.Errorf("marks = %q, want %q", got, want)
	}
}

func TestRunFileStreamsOutput(t *testing.T) {
	e := newFakeEngine()
	dir := writeTree(t, map[string]string{
		"r/lib.star": "x = 1\n",
		"r/run.star": `
load("//lib.star", "x")
print("top", x)
def test_one():
    print("one")
def test_two():
    print("two")
    fail("no")
`,
	})
	t.Chdir(dir)
	var out bytes.Buffer
	opts := e.options(nil)
	opts.Stdout = &out
	sum, err := RunFile(context.Background(), "r/run.star", opts)
	if err != nil {
		t.Fatal(err)
	}
	pattern := `^top 1
one
PASS r/run.star::test_one \(\d+\.\d\ds\)
two
FAIL r/run.star::test_two \(\d+\.\d\ds\)
    Traceback \(most recent call last\):
      r/run.star:8:9: in test_two
    Error in fail: no
    sandbox:
(        .*\n)+1 passed, 1 failed
$`
	if !regexp.MustCompile(pattern).MatchString(out.String()) {
		t.Errorf("output:\n%s\nwant it to match:\n%s", out.String(), pattern)
	}
	if sum.Cases[1].Output != "" {
		t.Errorf("streamed output kept in the result too: %q", sum.Cases[1].Output)
	}
	e.checkAllClosedOnce(t)

	if _, err := RunFile(context.Background(), "r", opts); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("RunFile on a directory: err = %v, want 'is a directory'", err)
	}
}

func TestFindFiles(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"s/a.star":              "",
		"s/b.txt":               "",
		"s/_draft.star":         "",
		"s/.hidden.star":        "",
		"s/sub/c.star":          "",
		"s/lib/helpers.star":    "",
		"s/testdata/t.star":     "",
		"s/_wip/w.star":         "",
		"s/.git/g.star":         "",
		"s/sub/testdata/x.star": "",
		"testdata/direct.star":  "",
	})
	t.Chdir(dir)
	tests := []struct {
		paths   []string
		want    []scenarioFile
		wantErr error
	}{
		{
			paths: []string{"s"},
			want:  []scenarioFile{{"s/a.star", "s"}, {"s/sub/c.star", "s"}},
		},
		{
			// named directly, a file runs whatever its name; a directory
			// argument is searched even when it is called testdata.
			paths: []string{"s/_draft.star", "testdata", "s"},
			want:  []scenarioFile{{"s/_draft.star", "s"}, {"testdata/direct.star", "testdata"}, {"s/a.star", "s"}, {"s/sub/c.star", "s"}},
		},
		{paths: []string{"s/sub/testdata"}, want: []scenarioFile{{"s/sub/testdata/x.star", "s/sub/testdata"}}},
		{paths: []string{"s/a.star", "./s/a.star"}, want: []scenarioFile{{"s/a.star", "s"}}},
		{paths: []string{"s/lib/.."}, want: []scenarioFile{{"s/a.star", "s"}, {"s/sub/c.star", "s"}}},
		{paths: []string{"s/_wip/../lib"}, want: []scenarioFile{{"s/lib/helpers.star", "s/lib"}}},
		{paths: []string{"missing"}, wantErr: os.ErrNotExist},
		{paths: []string{"s/.git/.."}, want: []scenarioFile{{"s/a.star", "s"}, {"s/sub/c.star", "s"}}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.paths, ","), func(t *testing.T) {
			got, err := findFiles(tt.paths)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("files = %v, want %v", got, tt.want)
			}
		})
	}

	empty := t.TempDir()
	if _, err := findFiles([]string{empty}); !errors.Is(err, ErrNoScenarios) {
		t.Errorf("empty dir: err = %v, want ErrNoScenarios", err)
	}
}

func TestOptionsErrors(t *testing.T) {
	if _, err := Test(context.Background(), Options{}); !errors.Is(err, ErrNoSandboxFactory) {
		t.Errorf("Test without NewSandbox: err = %v, want ErrNoSandboxFactory", err)
	}
	if _, err := RunFile(context.Background(), "x.star", Options{}); !errors.Is(err, ErrNoSandboxFactory) {
		t.Errorf("RunFile without NewSandbox: err = %v, want ErrNoSandboxFactory", err)
	}
}

// TestScripts runs testdata/*.star with the core modules, as users see them.
func TestScripts(t *testing.T) {
	e := newFakeEngine()
	var out bytes.Buffer
	opts := e.options(nil)
	opts.Paths = []string{"testdata"}
	opts.Stdout = &out
	sum, err := Test(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed > 0 || sum.Passed == 0 {
		t.Fatalf("want every case to pass:\n%s", out.String())
	}
	e.checkAllClosedOnce(t)
}

// Each case's sandbox is made with its file's top-level sandbox as
// parent, passed explicitly: nothing is read back from labels, so a
// directory whose name looks like a case ("a::test_b") changes nothing.
func TestCaseSandboxesHaveTheirFileAsParent(t *testing.T) {
	e := newFakeEngine()
	_, _, err := runTree(t, e, e.options(nil), map[string]string{
		"a::test_b/f.star": "def test_x():\n    pass\ndef test_y():\n    pass\n",
		"g.star":           "def test_z():\n    pass\n",
	}, ".")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a::test_b/f.star": "", "a::test_b/f.star::test_x": "a::test_b/f.star", "a::test_b/f.star::test_y": "a::test_b/f.star",
		"g.star": "", "g.star::test_z": "g.star",
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !reflect.DeepEqual(e.parents, want) {
		t.Errorf("parents (label → parent label):\n got %q\nwant %q", e.parents, want)
	}
}
