package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"berth/starlib/runner"
)

// feed plays a run of two files through r: a.star with a passing case
// that prints, a failing one, a skipped one, and a -count repeat; b.star
// whose top level is its one case and fails before it starts.
func feed(r runner.Reporter) runner.Summary {
	var sum runner.Summary
	done := func(c runner.CaseResult) {
		r.CaseDone(c)
		sum.Cases = append(sum.Cases, c)
		switch c.Status {
		case runner.Passed:
			sum.Passed++
		case runner.Failed:
			sum.Failed++
		case runner.Skipped:
			sum.Skipped++
		}
	}
	r.FileStart("a.star")
	r.FileStart("b.star")
	r.CaseStart("a.star", "test_ok", 1)
	r.Output("a.star", "test_ok", 1, "hello <world>\n")
	done(runner.CaseResult{File: "a.star", Name: "test_ok", Status: runner.Passed, Duration: 1500 * time.Millisecond, Output: "hello <world>\n", Run: 1})
	done(runner.CaseResult{File: "b.star", Status: runner.Failed, Failure: "b.star:1:1: got \"\x1b[31m\"", Run: 1})
	r.FileDone("b.star", time.Second)
	r.CaseStart("a.star", "test_bad", 1)
	done(runner.CaseResult{File: "a.star", Name: "test_bad", Status: runner.Failed, Duration: time.Second, Run: 1,
		Failure: "Traceback (most recent call last):\n  a.star:3:5: in test_bad\nError in assert.eq: got 1, want 2", Diagnostics: "container web: exited (1)"})
	done(runner.CaseResult{File: "a.star", Name: "test_skip", Status: runner.Skipped, SkipReason: "needs IPv6 # maybe", Run: 1})
	r.CaseStart("a.star", "test_ok", 2)
	done(runner.CaseResult{File: "a.star", Name: "test_ok", Status: runner.Passed, Run: 2})
	r.FileDone("a.star", 3*time.Second)
	r.RunDone(sum)
	return sum
}

type jsonEvent struct {
	Action, Package, Test, Output string
	Elapsed                       *float64
	Time                          time.Time
}

func TestJSONIsWhatGoTestJSONReadersTake(t *testing.T) {
	var out bytes.Buffer
	feed(NewJSON(&out))
	last := map[string]jsonEvent{} // package/test -> its last event
	var outputs = map[string]string{}
	for line := range strings.Lines(out.String()) {
		var e jsonEvent
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if e.Time.IsZero() {
			t.Errorf("no Time in %q", line)
		}
		last[e.Package+"/"+e.Test] = e
		outputs[e.Package+"/"+e.Test] += e.Output
	}
	for key, want := range map[string]string{
		"a.star/test_ok": "pass", "a.star/test_ok#2": "pass", "a.star/test_bad": "fail", "a.star/test_skip": "skip",
		"b.star/b.star": "fail", "a.star/": "fail", "b.star/": "fail",
	} {
		e := last[key]
		if e.Action != want || e.Elapsed == nil {
			t.Errorf("last event of %s = %+v, want %s with Elapsed", key, e, want)
		}
	}
	for key, want := range map[string][]string{
		"a.star/test_ok":   {"=== RUN   test_ok\n", "    hello <world>\n", "--- PASS: test_ok (1.50s)\n"},
		"a.star/test_bad":  {"=== RUN   test_bad\n", "    Error in assert.eq: got 1, want 2\n", "    container web: exited (1)\n", "--- FAIL: test_bad (1.00s)\n"},
		"a.star/test_skip": {"=== RUN   test_skip\n", "--- SKIP: test_skip", "    needs IPv6 # maybe\n"},
		"a.star/":          {"FAIL\n", "FAIL\ta.star\t3.000s\n"},
	} {
		for _, w := range want {
			if !strings.Contains(outputs[key], w) {
				t.Errorf("output of %s lacks %q:\n%s", key, w, outputs[key])
			}
		}
	}
}

func TestJUnit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "junit.xml")
	j, err := NewJUnit(path)
	if err != nil {
		t.Fatal(err)
	}
	feed(j)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Cases    []struct {
				Class   string `xml:"classname,attr"`
				Name    string `xml:"name,attr"`
				Time    string `xml:"time,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
				Out string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	// The summary is in file order of CaseDone here: a, b, a — each
	// run of cases of one file is one suite.
	var got []string
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			line := s.Name + " " + c.Class + "::" + c.Name + " " + c.Time
			if c.Failure != nil {
				line += " FAIL(" + c.Failure.Message + ")"
				if !strings.Contains(c.Failure.Text, "Traceback") && c.Name == "test_bad" {
					t.Errorf("failure text lacks the backtrace: %q", c.Failure.Text)
				}
				if c.Name == "test_bad" && !strings.Contains(c.Failure.Text, "sandbox:\ncontainer web: exited (1)") {
					t.Errorf("failure text lacks the diagnostics: %q", c.Failure.Text)
				}
			}
			if c.Skipped != nil {
				line += " SKIP(" + c.Skipped.Message + ")"
			}
			if c.Out != "" {
				line += " OUT(" + c.Out + ")"
			}
			got = append(got, line)
		}
	}
	want := []string{
		"a.star a.star::test_ok 1.500 OUT(hello <world>\n)",
		"b.star b.star::b.star 0.000 FAIL(b.star:1:1: got \"\uFFFD[31m\")",
		"a.star a.star::test_bad 1.000 FAIL(Error in assert.eq: got 1, want 2)",
		"a.star a.star::test_skip 0.000 SKIP(needs IPv6 # maybe)",
		"a.star a.star::test_ok#2 0.000",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("junit cases:\n%s\nwant:\n%s\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), data)
	}
}

func TestJUnitNamesAreUnique(t *testing.T) {
	sum := runner.Summary{Cases: []runner.CaseResult{
		{File: "a.star", Status: runner.Passed},
		{File: "a.star", Status: runner.Failed, Failure: "teardown of the top level: x"},
	}}
	out := string(Encode(sum, time.Unix(0, 0)))
	if !strings.Contains(out, `name="a.star"`) || !strings.Contains(out, `name="a.star (2)"`) {
		t.Errorf("duplicate names not told apart:\n%s", out)
	}
}

func TestJUnitUnwritablePath(t *testing.T) {
	_, err := NewJUnit(filepath.Join(t.TempDir(), "no", "such", "dir.xml"))
	if err == nil || !strings.Contains(err.Error(), "no such file or directory") {
		t.Errorf("NewJUnit in a missing directory: %v", err)
	}
}

func TestTAP(t *testing.T) {
	var out bytes.Buffer
	feed(NewTAP(&out))
	want := "TAP version 13\n" +
		"ok 1 - a.star::test_ok\n" +
		"not ok 2 - b.star\n  ---\n  message: \"b.star:1:1: got \\\"\\x1b[31m\\\"\"\n  severity: fail\n  duration_ms: 0\n  data:\n    failure: |\n      b.star:1:1: got \"\uFFFD[31m\"\n  ...\n" +
		"not ok 3 - a.star::test_bad\n"
	if !strings.HasPrefix(out.String(), want) {
		t.Errorf("TAP:\n%s\nwant it to start:\n%s", out.String(), want)
	}
	for _, w := range []string{"ok 4 - a.star::test_skip # SKIP needs IPv6 \\# maybe\n", "ok 5 - a.star::test_ok\\#2\n", "\n1..5\n"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("TAP lacks %q:\n%s", w, out.String())
		}
	}
}
