package container_test

import (
	"testing"

	"berth/starlib/enginetest"
)

// TestScenarios runs testdata/*.star on a real engine: every case must
// pass, and nothing may be left behind (enginetest checks at cleanup).
func TestScenarios(t *testing.T) {
	e := enginetest.Engine(t)
	enginetest.RunTestdata(t, e)
	if left := enginetest.Leftovers(t, e); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// A case that fails must fail: the runner reports it, with the error.
func TestFailuresAreReported(t *testing.T) {
	e := enginetest.Engine(t)
	dir := t.TempDir()
	write(t, dir+"/f.star", `
def test_wrong():
    c = run("busybox", "echo hi")
    assert.eq(c.output, "bye\n")
`)
	sum, report := enginetest.RunFiles(t, e, dir)
	if sum.Failed != 1 || sum.Passed != 0 {
		t.Fatalf("want one failure, got %+v:\n%s", sum, report)
	}
}
