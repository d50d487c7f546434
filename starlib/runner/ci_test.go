package runner

import (
	"strings"
	"testing"
)

func TestSkipBuiltin(t *testing.T) {
	e := newFakeEngine()
	opts := e.options(nil)
	opts.Verbose = true
	sum, report, err := runTree(t, e, opts, map[string]string{
		"a.star": `
def test_skipped():
    skip("needs IPv6")
    fail("not reached")
def test_ok():
    pass
def test_empty_reason():
    skip("")
`,
		"b.star": `
skip("whole file off")
def test_x():
    fail("not reached")
`,
		"c.star": `skip("single")`,
	}, ".")
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, sum, "SKIP a.star::test_skipped", "PASS a.star::test_ok", "FAIL a.star::test_empty_reason",
		"SKIP b.star::test_x", "SKIP c.star")
	for _, want := range []string{"SKIP a.star::test_skipped (needs IPv6)", "SKIP b.star::test_x (whole file off)",
		"SKIP c.star (single)", "reason is empty"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}

func TestFailFastStartsNothingMore(t *testing.T) {
	e := newFakeEngine()
	opts := e.options(nil)
	opts.FailFast = true
	sum, _, err := runTree(t, e, opts, map[string]string{
		"a.star": "def test_bad():\n    fail('x')\ndef test_next():\n    mark('ran')\n",
		"b.star": "mark('b ran')\n",
	}, ".")
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, sum, "FAIL a.star::test_bad", "SKIP a.star::test_next")
	if m := e.markList(); len(m) != 0 {
		t.Errorf("ran after the failure: %v", m)
	}
}

func TestCountRepeatsNamedApart(t *testing.T) {
	e := newFakeEngine()
	opts := e.options(nil)
	opts.Count = 3
	sum, report, err := runTree(t, e, opts, map[string]string{
		"a.star": "def test_x():\n    pass\n",
	}, ".")
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, sum, "PASS a.star::test_x", "PASS a.star::test_x#2", "PASS a.star::test_x#3")
	if lastLine(report) != "3 passed, 0 failed" {
		t.Errorf("report:\n%s", report)
	}
}

func TestShardsSplitTheSuite(t *testing.T) {
	files := map[string]string{}
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "sub/i", "sub/j"} {
		files[n+".star"] = "def test_x():\n    pass\n"
	}
	seen := map[string]int{}
	for i := 1; i <= 3; i++ {
		e := newFakeEngine()
		opts := e.options(nil)
		opts.Shard = Shard{Index: i, Total: 3}
		sum, _, err := runTree(t, e, opts, files, ".")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range sum.Cases {
			seen[c.File]++
			if ShardOf(c.File, 3) != i {
				t.Errorf("%s ran in shard %d, its shard is %d", c.File, i, ShardOf(c.File, 3))
			}
		}
	}
	if len(seen) != len(files) {
		t.Errorf("files run over the shards: %v, want each of %d once", seen, len(files))
	}
	for f, n := range seen {
		if n != 1 {
			t.Errorf("%s ran %d times", f, n)
		}
	}
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct{ in, err string }{
		{"1/1", ""}, {"3/4", ""},
		{"0/4", `"0/4": want I from 1 to 4, got 0`},
		{"5/4", `"5/4": want I from 1 to 4, got 5`},
		{"1/0", `"1/0": want N of at least 1, got 0`},
		{"x", `"x": want I/N, such as 1/4`},
		{"1/x", `"1/x": want I/N, such as 1/4`},
	} {
		_, err := ParseShard(tc.in)
		if got := errText(err); got != tc.err {
			t.Errorf("ParseShard(%q) error = %q, want %q", tc.in, got, tc.err)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// -work: a failed case's sandbox and its file's top level are kept, not
// closed, and the report says what was kept; passing cases and files
// without a failure are closed as usual; without KeepFailed nothing is
// kept.
func TestKeepFailed(t *testing.T) {
	files := map[string]string{
		"a.star": `
def test_ok():
    pass
def test_bad():
    fail("boom")
`,
		"b.star": `
def test_ok():
    pass
`,
		"c.star": `fail("top")`,
	}
	for _, keep := range []bool{true, false} {
		e := newFakeEngine()
		opts := e.options(nil)
		opts.KeepFailed = keep
		sum, report, err := runTree(t, e, opts, files, ".")
		if err != nil {
			t.Fatal(err)
		}
		wantIDs(t, sum, "PASS a.star::test_ok", "FAIL a.star::test_bad", "PASS b.star::test_ok", "FAIL c.star")
		e.mu.Lock()
		kept, closed := e.kept, e.closed
		e.mu.Unlock()
		if !keep {
			if len(kept) != 0 || sum.Kept != 0 || strings.Contains(report, "kept") {
				t.Errorf("without KeepFailed: kept %v, Summary.Kept %d\n%s", kept, sum.Kept, report)
			}
			continue
		}
		for _, label := range []string{"a.star::test_bad", "a.star", "c.star"} {
			if kept[label] != 1 || closed[label] != 0 {
				t.Errorf("%s: kept %d times, closed %d; want kept once, never closed", label, kept[label], closed[label])
			}
		}
		for _, label := range []string{"a.star::test_ok", "b.star::test_ok", "b.star"} {
			if kept[label] != 0 || closed[label] != 1 {
				t.Errorf("%s: kept %d times, closed %d; want closed once", label, kept[label], closed[label])
			}
		}
		if sum.Kept != 2 {
			t.Errorf("Summary.Kept = %d, want 2", sum.Kept)
		}
		for _, want := range []string{"kept (-work):\n        container web of a.star::test_bad: nsenter here\n        and the file's top level", "container web of c.star: nsenter here"} {
			if !strings.Contains(report, want) {
				t.Errorf("report lacks %q:\n%s", want, report)
			}
		}
	}
}
