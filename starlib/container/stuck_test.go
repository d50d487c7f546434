package container_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/cgroups"

	"berth/runtime/engine/enginetest"
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
	if sum.Failed != 1 || !strings.Contains(report.String(), "/etc/passwd in the container is not a regular file (a named pipe)") {
		t.Errorf("want the restart to fail on the FIFO, got:\n%s", report.String())
	}
	env.NothingLeft()
}

// A container whose process cannot die (frozen apart by the cgroup v1
// freezer, so that SIGKILL waits for a thaw) must not hang the run: the
// case's teardown gives up at its deadline and reports the container as
// left to berth gc.
func TestTeardownReportsAContainerThatCannotDie(t *testing.T) {
	if cgroups.IsCgroup2UnifiedMode() {
		t.Skip("cgroup v2's freezer lets SIGKILL through: no unkillable process to test with")
	}
	env := enginetest.New(t)
	child := fmt.Sprintf("holes-stuck-%d", os.Getpid())
	path := filepath.Join(t.TempDir(), "frozen.star")
	src := fmt.Sprintf(`
def test_frozen():
    c = run("busybox", "sleep 1000", detach = True, name = "frozen")
    d = "/sys/fs/cgroup/freezer/berth-%%s/%s" %% c.id
    pid = c.inspect()["State"]["Pid"]
    host.exec(["sh", "-c", "mkdir %%s && echo %%d > %%s/cgroup.procs && echo FROZEN > %%s/freezer.state" %% (d, pid, d, d)])
`, child)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	thaw := func() {
		frozen, _ := filepath.Glob("/sys/fs/cgroup/freezer/berth-*/" + child)
		for _, d := range frozen {
			_ = os.WriteFile(filepath.Join(d, "freezer.state"), []byte("THAWED"), 0o644)
		}
	}
	t.Cleanup(func() {
		thaw()
		// The removal the teardown stopped waiting for ends after the
		// thaw; the file's bridge, which the container still used when
		// the top level closed, is left to gc: remove it here.
		containers := filepath.Join(env.Engine.Root(), "containers")
		for i := 0; i < 3000; i++ {
			if entries, _ := os.ReadDir(containers); len(entries) == 0 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		nets, _ := env.Engine.Networks().List()
		for _, n := range nets {
			if err := env.Engine.Networks().Remove(n); err != nil {
				t.Errorf("remove the bridge left behind: %v", err)
			}
		}
	})
	opts := enginetest.Options(env.Engine)
	opts.Paths = []string{path}
	opts.TeardownTimeout = 2 * time.Second
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
		thaw()
		t.Fatal("the run waited for a container that cannot die")
	}
	// The case fails, and so does its file: the bridge the container
	// still uses cannot be removed either.
	want := "teardown: close sandbox: container frozen ("
	if sum.Failed != 2 || !strings.Contains(report.String(), want) || !strings.Contains(report.String(), "was not removed in time: it was killed and is left to berth gc") {
		t.Errorf("want the case to fail, reporting the frozen container as left to berth gc; got:\n%s", report.String())
	}
}
