package assert_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"berth/starlib/internal/startest"
)

func TestScripts(t *testing.T) {
	startest.PassAll(t, "testdata", startest.Options(nil))
}

// TestFailures shows that each assertion can fail, and what it says.
func TestFailures(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // substrings of the failure text, in order
	}{
		{"eq scalars", `assert.eq(1, 2)`, []string{"Error in assert.eq: got 1, want 2"}},
		{"eq with msg", `assert.eq("a", "b", msg="names")`, []string{`Error in assert.eq: names: got "a", want "b"`}},
		{"eq diff", `assert.eq({"a": [1, 2]}, {"a": [1, 3]})`,
			[]string{"Error in assert.eq: values differ (-got +want):", "-", "int64(2)", "+", "int64(3)"}},
		{"eq multi-line strings", `assert.eq("first line\nsecond line\nthird line\n", "first line\nsecond line\n3rd line\n")`,
			[]string{"values differ (-got +want)", "\tsecond line\n- \tthird line\n+ \t3rd line\n"}},
		{"eq list vs tuple", `assert.eq([1], (1,))`, []string{"- list [1]", "+ tuple (1,)"}},
		{"ne", `assert.ne([1], [1])`, []string{"Error in assert.ne: both values are [1]"}},
		{"true", `assert.true(0, "must be set")`, []string{"Error in assert.true: must be set: got 0, want a true value"}},
		{"false", `assert.false("x")`, []string{`Error in assert.false: got "x", want a false value`}},
		{"contains string", `assert.contains("hello", "xyz")`, []string{`Error in assert.contains: "xyz" not found in "hello"`}},
		{"contains multi-line", `assert.contains("line one\nline two\n", "three")`,
			[]string{`"three" not found in this text:`, "    line one", "    line two"}},
		{"contains list", `assert.contains([1, 2], 3)`, []string{"Error in assert.contains: 3 not found in [1, 2]"}},
		{"contains dict", `assert.contains({"a": 1}, 1)`, []string{`Error in assert.contains: 1 not found in {"a": 1}`}},
		{"contains wrong type", `assert.contains(3, 3)`, []string{"for parameter haystack: got int, want string, list, tuple, dict or set"}},
		{"contains bad needle", `assert.contains("abc", 1)`, []string{"Error in assert.contains: 'in <string>' requires string as left operand, not int"}},
		{"matches", `assert.matches("^b", "abc")`, []string{`Error in assert.matches: no match for /^b/ in "abc"`}},
		{"matches bad regexp", `assert.matches("(", "abc")`, []string{"for parameter pattern: error parsing regexp: missing closing )"}},
		{"fails but succeeded", `assert.fails(lambda: 1, "boom")`, []string{"Error in assert.fails: lambda returned 1, want an error matching /boom/"}},
		{"fails with other error", `assert.fails(lambda: fail("oops"), "boom")`,
			[]string{`Error in assert.fails: error "fail: oops" does not match /boom/`}},
		{"eventually never true", `assert.eventually(lambda: False, timeout=0, interval="1ms")`,
			[]string{"Error in assert.eventually: lambda did not return a true value within 0s (1 attempts); last result: False"}},
		{"eventually last error", `
def probe():
    fail("connection refused")
assert.eventually(probe, timeout=0)`,
			[]string{"probe did not return a true value within 0s (1 attempts); last error: fail: connection refused"}},
		{"eventually bad interval", `assert.eventually(lambda: True, interval=0)`, []string{"for parameter interval: got 0s, want a duration above 0"}},
		{"eventually bad timeout", `assert.eventually(lambda: True, timeout=[])`, []string{`for parameter "timeout": got list, want duration string or number`}},
		{"golden escapes testdata", `assert.golden("x", "../x.txt")`, []string{`for parameter path: got "../x.txt", want a relative path inside testdata/`}},
		{"golden missing", `assert.golden("x", "nope.txt")`, []string{"nope.txt does not exist: run \"berth test -update\" to create it"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := startest.Fail(t, "case.star", tt.src, startest.Options(nil)).Failure
			rest := got
			for _, want := range tt.want {
				i := strings.Index(rest, want)
				if i < 0 {
					t.Fatalf("failure text lacks %q (in order); got:\n%s", want, got)
				}
				rest = rest[i+len(want):]
			}
		})
	}
}

func TestGoldenMismatchAndUpdate(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "g.star")
	golden := filepath.Join(dir, "testdata", "out", "g.txt")
	src := `assert.golden("new\ntext\n", "out/g.txt")` + "\n"
	if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(golden, []byte("old\ntext\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	opts := startest.Options(nil)
	res := startest.Fail(t, "g.star", src, opts) // a copy elsewhere: its golden file is missing
	if !strings.Contains(res.Failure, "does not exist") {
		t.Errorf("copy without golden file: failure = %q, want 'does not exist'", res.Failure)
	}

	sum := runScript(t, script, opts)
	if sum != "0 passed, 1 failed" {
		t.Fatalf("before -update: %s, want the golden mismatch to fail", sum)
	}

	opts.Update = true
	if sum := runScript(t, script, opts); sum != "1 passed, 0 failed" {
		t.Fatalf("with -update: %s, want a pass", sum)
	}
	data, err := os.ReadFile(golden)
	if err != nil || string(data) != "new\ntext\n" {
		t.Fatalf("golden file after -update = %q (err %v), want the new text", data, err)
	}

	opts.Update = false
	if sum := runScript(t, script, opts); sum != "1 passed, 0 failed" {
		t.Fatalf("after -update: %s, want a pass", sum)
	}
}
