package repl

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"berth/starlib/harness"
	"berth/starlib/internal/faketest"
	"berth/starlib/runner"
)

func TestComplete(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"", true},
		{"x = 1", true},
		{"print(run(\"busybox\",", false},
		{"x = [1,\n 2", false},
		{"x = [1,\n 2]", true},
		{"def f():", false},
		{"def f():\n    return 1", false},
		{"def f():\n    return 1\n", true},
		{"if True:\n    x = 1\nelse:", false},
		{"if True:\n    x = 1\nelse:\n    x = 2\n", true},
		{"s = \"\"\"a", false},
		{"s = \"\"\"a\nb\"\"\"", true},
		{"x = )", true},                       // a syntax error to report now
		{"x = \"abc", true},                   // an unclosed string ends at the line
		{"def f():\n  x\nfor i in y:", false}, // the second block is open
		{"def f():\n  x\nfor i in y:\n  print(i)", false},
		{"def f():\n  x\ny = 1", true},
		{":ls", true},
		{":help run", true},
		{"  x = 1", true}, // unexpected indent: reported, not waited on
	}
	for _, tt := range tests {
		if got := Complete(tt.text); got != tt.want {
			t.Errorf("Complete(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func newCompleter(t *testing.T, extra string) *Completer {
	t.Helper()
	env := faketest.New(t)
	var out bytes.Buffer
	s, err := Open(context.Background(), Config{Options: env.Options, Registry: harness.Registry(), Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if extra != "" && !s.Eval(context.Background(), Label, extra, 1) {
		t.Fatalf("%s: %s", extra, out.String())
	}
	return s.Completer()
}

func values(cands []Candidate) []string {
	var out []string
	for _, c := range cands {
		out = append(out, c.Value)
	}
	return out
}

func TestCompleter(t *testing.T) {
	c := newCompleter(t, "c = run(\"busybox\", \"sleep 100\", detach=True)\ndef mine(alpha, beta=1, *rest, **kw):\n    pass\n")
	tests := []struct {
		text     string
		word     string
		contains []string
		excludes []string
	}{
		{"ru", "ru", []string{"run"}, []string{"print"}},
		{"print(ru", "ru", []string{"run"}, nil},
		{"netw", "netw", []string{"network"}, nil},
		{"network.cr", "cr", []string{"create"}, []string{"connect"}},
		{"x = network.", "", []string{"create", "connect"}, nil},
		{"expect.e", "e", []string{"eq"}, nil},
		{"c.ex", "ex", []string{"exec"}, nil},             // a container's method
		{"c.", "", []string{"exec", "logs", "stop"}, nil}, // its attributes
		{"run(\"busybox\", det", "det", []string{"detach="}, nil},
		{"run(", "", []string{"image=", "name=", "c"}, nil},
		{"c.exec(\"ls\", ", "", []string{"user=", "workdir="}, nil},
		{"network.create(\"n\", sub", "sub", []string{"subnet="}, nil},
		{"mine(", "", []string{"alpha=", "beta="}, []string{"rest=", "kw="}},
		{"run(image=", "", []string{"c"}, []string{"image="}}, // a value, not a keyword
		{"\"ru", "", nil, []string{"run"}},                    // inside a string
		{"# ru", "", nil, []string{"run"}},                    // inside a comment
		{"f().ex", "", nil, []string{"exec"}},                 // never calls
		{"c.status.up", "up", nil, []string{"upper"}},         // reads no attribute of a value
		{":h", ":h", []string{":help"}, []string{":ls"}},
		{":help network.c", "network.c", []string{"network.create", "network.connect"}, nil},
	}
	for _, tt := range tests {
		word, cands := c.Complete(tt.text)
		got := values(cands)
		if word != tt.word {
			t.Errorf("Complete(%q) word = %q, want %q", tt.text, word, tt.word)
		}
		for _, w := range tt.contains {
			if !slices.Contains(got, w) {
				t.Errorf("Complete(%q) = %v, want it to offer %q", tt.text, got, w)
			}
		}
		for _, w := range tt.excludes {
			if slices.Contains(got, w) {
				t.Errorf("Complete(%q) = %v, want no %q", tt.text, got, w)
			}
		}
	}
}

// session runs text through RunReader and returns what it wrote.
func session(t *testing.T, dir, text string) (stdout, stderr string, failed int) {
	t.Helper()
	env := faketest.New(t)
	var out, errOut bytes.Buffer
	s, err := Open(context.Background(), Config{Options: env.Options, Registry: harness.Registry(), Dir: dir, Stdout: &out, Stderr: &errOut})
	if err != nil {
		t.Fatal(err)
	}
	failed, err = s.RunReader(context.Background(), strings.NewReader(text), "<stdin>")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if n := len(env.Backend.Containers()); n != 0 {
		t.Errorf("%d containers left after Close", n)
	}
	return out.String(), errOut.String(), failed
}

func TestRunReader(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		wantOut    []string
		wantErr    []string
		wantFailed int
	}{
		{"print and values", "print(1 + 1)\n\"s\"\nNone\n", []string{"2\n\"s\"\n"}, nil, 0},
		{"blocks", "def f(a):\n    return a * 2\n\nf(21)\n", []string{"42\n"}, nil, 0},
		{"block then statement", "def f(a):\n    return a\nprint(f(7))\n", []string{"7\n"}, nil, 0},
		{"undefined name", "x = 1\nrnu(\"busybox\")\nprint(x)\n", []string{"1\n"}, []string{"<stdin>:2:1: undefined: rnu (did you mean run?)"}, 1},
		{"syntax error line", "x = 1\n\ny = )\n", nil, []string{"<stdin>:3:5:"}, 1},
		{"runtime error", "fail(\"boom\")\n", nil, []string{"boom"}, 1},
		{"unknown command", ":sav x.star\n", nil, []string{"unknown command :sav (did you mean :save?)"}, 1},
		{"help", ":help run\n", []string{"run("}, nil, 0},
		{"help unknown", ":help rnu\n", nil, []string{"did you mean run?", ":help lists every name"}, 1},
		{"save without file", ":save\n", nil, []string{":save: want a FILE.star"}, 1},
		{"save not star", ":save x.txt\n", nil, []string{"want a .star file"}, 1},
		{"save bad dir", ":save /no/such/dir/x.star\n", nil, []string{"no such file or directory"}, 1},
		{"ls", "c = run(\"busybox\", \"sleep 100\", detach=True, name=\"web\")\nnetwork.create(\"n1\")\n:ls\n", []string{"containers (1):", "web", "networks (1):", "n1"}, nil, 0},
		{"quit", "print(1)\n:quit\nprint(2)\n", []string{"1\n"}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, failed := session(t, t.TempDir(), tt.in)
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout %q, want %q in it", out, w)
				}
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q, want %q in it", errOut, w)
				}
			}
			if failed != tt.wantFailed {
				t.Errorf("failed = %d, want %d (stderr %q)", failed, tt.wantFailed, errOut)
			}
			if tt.name == "quit" && strings.Contains(out, "2") {
				t.Errorf("ran past :quit: %q", out)
			}
		})
	}
}

// TestSaveRuns saves a session and runs the file as berth run does: the
// statements that failed are left out.
func TestSaveRuns(t *testing.T) {
	dir := t.TempDir()
	in := "x = 20\nbad()\ndef add(a, b):\n    return a + b\n\nc = run(\"busybox\", \"sleep 100\", detach=True)\nassert.eq(add(x, 22), 42)\n:save s.star\n"
	_, errOut, failed := session(t, dir, in)
	if failed != 1 {
		t.Fatalf("failed = %d, want 1 (bad()): %s", failed, errOut)
	}
	src, err := os.ReadFile(filepath.Join(dir, "s.star"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(src), "bad()") || !strings.Contains(string(src), "def add(a, b):\n    return a + b\n") {
		t.Errorf("saved:\n%s", src)
	}
	env := faketest.New(t)
	var out bytes.Buffer
	opts := env.Options
	opts.Stdout = &out
	sum, err := runner.RunFile(context.Background(), filepath.Join(dir, "s.star"), opts)
	if err != nil || !sum.OK() || sum.Passed != 1 {
		t.Errorf("berth run of the saved file: %+v %v\n%s\n%s", sum, err, out.String(), src)
	}
}
