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
