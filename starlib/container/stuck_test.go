package container_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"berth/starlib/enginetest"
	"berth/starlib/runner"
)

// A container that ignores SIGTERM and makes its /etc/passwd a FIFO it is
// blocked reading: restarting it must fail the case at once (the start's
// user lookup refuses the FIFO) and the run must end and leave nothing,
// not hang with the start holding the container.
func TestStuckContainerDoesNotHangTheRun(t *testing.T) {
	env := enginetest.New(t)
	path := filepath.Join(t.TempDir(), "stuck.star")
	src := `
def test_stuck():
    c = run("busybox", ["sh", "-c", "trap '' TERM; rm /etc/passwd; mkfifo /etc/passwd; echo ready; cat /etc/passwd"],
            detach = True)
    c.wait_for_log("ready")
    c.restart(timeout = "100ms")
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := enginetest.Options(env.Engine)
	opts.Paths = []string{path}
	opts.Timeout = 20 * time.Second
	opts.TeardownTimeout = 10 * time.Second
	var report bytes.Buffer
	opts.Stdout = &report
	done := make(chan runner.Summary, 1)
	go func() {
		sum, _ := runner.Test(t.Context(), opts)
		done <- sum
	}()
	var sum runner.Summary
	select {
	case sum = <-done:
	case <-time.After(3 * time.Minute):
		t.Fatal("the run hung on a container blocked in a FIFO read")
	}
	if sum.Failed != 1 || !strings.Contains(report.String(), "/etc/passwd in the container is not a regular file but a FIFO") {
		t.Errorf("want the restart to fail on the FIFO, got:\n%s", report.String())
	}
	env.NothingLeft()
}
