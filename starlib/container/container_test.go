package container_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"berth/runtime/engine/enginetest"
)

// TestScenarios runs testdata/*.star on a real engine: every case must
// pass, and the finished run must leave no container directory, mount or
// cgroup behind, including errors.star, whose calls all fail.
func TestScenarios(t *testing.T) {
	env := enginetest.New(t)
	env.PassTestdata()
}

// A failing case must be reported as failed, with its error and the state
// and last log lines of its containers.
func TestFailuresAreReported(t *testing.T) {
	env := enginetest.New(t)
	path := filepath.Join(t.TempDir(), "f.star")
	src := `
def test_wrong():
    c = run("busybox", "echo hi", name = "talker")
    assert.eq(c.output, "bye\n")
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, report := enginetest.RunFiles(t, env.Engine, path)
	if sum.Failed != 1 || sum.Passed != 0 {
		t.Fatalf("want one failure, got %+v:\n%s", sum, report)
	}
	for _, want := range []string{"f.star:4:14: in test_wrong", `"hi\n"`, `"bye\n"`, "container talker (", "exited, exit code 0", "  | hi"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	env.NothingLeft()
}
