package runner

import (
	"strings"
	"testing"
	"time"
)

// A sandbox whose diagnostics and Close never return (an engine stuck on
// a container) must not hang the run: the case fails, saying so, and the
// next case runs.
func TestTeardownIsBounded(t *testing.T) {
	e := newFakeEngine()
	e.stuck = "x.star::test_a"
	e.release = make(chan struct{})
	defer close(e.release)
	opts := e.options(nil)
	opts.TeardownTimeout = 50 * time.Millisecond
	done := make(chan Summary, 1)
	go func() {
		sum, _, err := runTree(t, e, opts, map[string]string{
			"x.star": "def test_a():\n    fail(\"boom\")\ndef test_b():\n    pass\n"}, "x.star")
		if err != nil {
			t.Error(err)
		}
		done <- sum
	}()
	var sum Summary
	select {
	case sum = <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("the run waited for a sandbox that never closes")
	}
	wantIDs(t, sum, "FAIL x.star::test_a", "PASS x.star::test_b")
	a := sum.Cases[0]
	if want := "teardown: close sandbox: it did not finish in time; what it made is left to berth gc"; !strings.Contains(a.Failure, want) {
		t.Errorf("failure = %q, want it to contain %q", a.Failure, want)
	}
	if want := "(no diagnostics: collecting them did not finish in time)"; a.Diagnostics != want {
		t.Errorf("diagnostics = %q, want %q", a.Diagnostics, want)
	}
}
