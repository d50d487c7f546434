package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"berth/runtime/store"
)

// The test binary doubles as berth: with berthAsMain set it runs main().
// It links runtime/container, so it is also a valid libcontainer init.
const berthAsMain = "BERTH_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(berthAsMain) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("berth needs root")
	}
}

// berthCmd prepares `berth --root root args...` as a child process.
func berthCmd(root string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"--root", root}, args...)...)
	cmd.Env = append(os.Environ(), berthAsMain+"=1")
	return cmd
}

// berth runs berth to completion and returns its output and exit code.
func berth(t *testing.T, root string, args ...string) (string, int) {
	t.Helper()
	cmd := berthCmd(root, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("berth %v: %v", args, err)
	}
	return out.String(), code
}

// newRoot is a berth root that is garbage-collected and removed after the
// test, whatever happened.
func newRoot(t *testing.T) string {
	t.Helper()
	root, err := os.MkdirTemp("", "berth-cli-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if out, code := berth(t, root, "gc"); code != 0 {
			t.Errorf("cleanup gc: %s", out)
		}
		os.RemoveAll(root)
	})
	return root
}

func writeScenario(t *testing.T, dir, name, src string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// leftovers lists what berth state exists for root: container dirs,
// libcontainer state, mounts under root and berth cgroups of those ids.
type leftovers struct {
	containers, runc, mounts, cgroups []string
}

func (l leftovers) empty() bool {
	return len(l.containers)+len(l.runc)+len(l.mounts)+len(l.cgroups) == 0
}

func scan(t *testing.T, root string) leftovers {
	t.Helper()
	var l leftovers
	ids := map[string]bool{}
	for _, sub := range []string{"containers", "runc"} {
		entries, _ := os.ReadDir(filepath.Join(root, sub))
		for _, e := range entries {
			ids[e.Name()] = true
			if sub == "containers" {
				l.containers = append(l.containers, e.Name())
			} else {
				l.runc = append(l.runc, e.Name())
			}
		}
	}
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 4 && strings.HasPrefix(f[4], root+"/") {
			l.mounts = append(l.mounts, f[4])
		}
	}
	hiers, _ := filepath.Glob("/sys/fs/cgroup/*/berth-*")
	top, _ := filepath.Glob("/sys/fs/cgroup/berth-*")
	for _, cg := range append(hiers, top...) {
		if ids[strings.TrimPrefix(filepath.Base(cg), "berth-")] {
			l.cgroups = append(l.cgroups, cg)
		}
	}
	return l
}

// pidsOf reads the processes of the given berth cgroups.
func pidsOf(cgroups []string) []int {
	var pids []int
	for _, cg := range cgroups {
		if !strings.Contains(cg, "/pids/") {
			continue
		}
		data, _ := os.ReadFile(filepath.Join(cg, "cgroup.procs"))
		for _, f := range strings.Fields(string(data)) {
			if pid, err := strconv.Atoi(f); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// startUntil starts cmd and waits for a line of its stdout to contain
// marker.
func startUntil(t *testing.T, cmd *exec.Cmd, marker string) {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	found := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		ok := false
		for sc.Scan() {
			if !ok && strings.Contains(sc.Text(), marker) {
				ok = true
				found <- true
			}
		}
		if !ok {
			found <- false
		}
	}()
	select {
	case ok := <-found:
		if !ok {
			t.Fatalf("berth ended before printing %q", marker)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no %q from berth within 30s", marker)
	}
}

const longRunning = `
def test_hold():
    for i in range(3):
        run("busybox", "sleep 3600", detach = True, name = "held%d" % i)
    print("READY")
    sleep(3600)
`

// The recovery test: SIGKILL berth in the middle of a scenario,
// then berth gc removes every container, mount, cgroup and state dir.
func TestGCAfterSIGKILL(t *testing.T) {
	needRoot(t)
	root := newRoot(t)
	scenario := writeScenario(t, t.TempDir(), "hold.star", longRunning)
	cmd := berthCmd(root, "run", scenario)
	startUntil(t, cmd, "READY")

	var err error
	before := scan(t, root)
	if len(before.containers) != 3 || len(before.mounts) != 3 || len(before.cgroups) == 0 {
		t.Fatalf("while running: %+v", before)
	}
	pids := pidsOf(before.cgroups)
	if len(pids) != 3 {
		t.Fatalf("container processes: %v", pids)
	}
	starts := map[int]uint64{}
	for _, pid := range pids {
		if starts[pid], err = store.ProcessStartTime(pid); err != nil {
			t.Fatal(err)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	// Without a shim nothing reaps the containers: they keep running.
	if l := scan(t, root); len(l.mounts) != 3 || len(pidsOf(l.cgroups)) != 3 {
		t.Fatalf("after SIGKILL, before gc: %+v", l)
	}

	out, code := berth(t, root, "gc")
	if code != 0 {
		t.Fatalf("gc failed: %s", out)
	}
	if !strings.Contains(out, "removed 3 containers, 3 mounts") {
		t.Errorf("gc report: %q", out)
	}
	if l := scan(t, root); !l.empty() {
		t.Errorf("left after gc: %+v", l)
	}
	for _, pid := range pids {
		// A zombie is dead: its parent (the killed berth) is gone and
		// whoever adopted it reaps it in its own time.
		if store.ProcessAlive(pid, starts[pid]) {
			t.Errorf("container process %d still alive after gc", pid)
		}
	}
	if out, _ := berth(t, root, "gc"); !strings.Contains(out, "removed 0 containers, 0 mounts, 0 cgroups, 0 state directories") {
		t.Errorf("second gc: %q", out)
	}
}

// gc must leave the containers of a live berth process alone.
func TestGCSparesLiveRuns(t *testing.T) {
	needRoot(t)
	root := newRoot(t)
	scenario := writeScenario(t, t.TempDir(), "hold.star", longRunning)
	cmd := berthCmd(root, "run", scenario)
	startUntil(t, cmd, "READY")
	before := scan(t, root)

	if out, code := berth(t, root, "gc"); code != 0 || !strings.Contains(out, "removed 0 containers") {
		t.Fatalf("gc with a live owner: %d %s", code, out)
	}
	after := scan(t, root)
	if fmt.Sprint(after) != fmt.Sprint(before) || len(pidsOf(after.cgroups)) != 3 {
		t.Errorf("gc touched a live run: before %+v after %+v", before, after)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	if l := scan(t, root); !l.empty() {
		t.Errorf("left after SIGTERM: %+v", l)
	}
}

// SIGINT and SIGTERM end the run, remove what it created, report the
// interrupted case and exit non-zero.
func TestInterruptRemovesEverything(t *testing.T) {
	needRoot(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			root := newRoot(t)
			dir := t.TempDir()
			writeScenario(t, dir, "hold.star", longRunning)
			cmd := berthCmd(root, "test", dir)
			var out bytes.Buffer
			pr, pw, _ := os.Pipe()
			cmd.Stdout = pw
			cmd.Stderr = pw
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			pw.Close()
			lines := make(chan string, 100)
			go func() {
				sc := bufio.NewScanner(pr)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
			}()
			// berth test buffers a case's prints: wait for the containers.
			deadline := time.Now().Add(30 * time.Second)
			for len(scan(t, root).containers) < 3 || len(pidsOf(scan(t, root).cgroups)) < 3 {
				if time.Now().After(deadline) {
					_ = cmd.Process.Kill()
					t.Fatal("containers did not start")
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() == 0 {
					t.Errorf("exit after %v: %v, want a non-zero status", sig, err)
				}
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("berth still running 30s after %v", sig)
			}
			for l := range lines {
				out.WriteString(l + "\n")
			}
			if !strings.Contains(out.String(), "interrupted") || !strings.Contains(out.String(), "0 passed, 1 failed") {
				t.Errorf("report after %v:\n%s", sig, out.String())
			}
			if l := scan(t, root); !l.empty() {
				t.Errorf("left after %v: %+v", sig, l)
			}
		})
	}
}

func TestExitStatusAndReport(t *testing.T) {
	needRoot(t)
	root := newRoot(t)
	dir := t.TempDir()
	writeScenario(t, dir, "ok.star", `
def test_echo():
    assert.eq(run("busybox", "echo hi").output, "hi\n")

def test_other():
    pass
`)
	out, code := berth(t, root, "test", dir)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || lines[len(lines)-1] != "2 passed, 0 failed" {
		t.Errorf("passing suite: exit %d\n%s", code, out)
	}
	out, code = berth(t, root, "test", "-run", "test_echo", dir)
	if code != 0 || !strings.HasSuffix(strings.TrimSpace(out), "1 passed, 0 failed, 1 skipped") {
		t.Errorf("-run: exit %d\n%s", code, out)
	}

	writeScenario(t, dir, "bad.star", `
def test_fails():
    c = run("busybox", "sh -c 'echo the last words; exec sleep 3600'", detach = True, name = "web")
    c.wait_for_log("last words")
    assert.eq(c.status, "exited")
`)
	out, code = berth(t, root, "test", dir)
	for _, want := range []string{
		"FAIL " + filepath.Join(dir, "bad.star") + "::test_fails",
		"bad.star:5:14: in test_fails",
		"container web (",
		"running",
		"| the last words",
		"2 passed, 1 failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("failing suite output lacks %q:\n%s", want, out)
		}
	}
	if code != 1 {
		t.Errorf("failing suite: exit %d, want 1", code)
	}
	if l := scan(t, root); !l.empty() {
		t.Errorf("left after the runs: %+v", l)
	}
}

// Errors that need no engine name the bad value and what is allowed, and
// leave the root untouched.
func TestBadInvocations(t *testing.T) {
	needRoot(t)
	root := filepath.Join(t.TempDir(), "never-created")
	dir := t.TempDir()
	notStar := writeScenario(t, dir, "x.txt", "")
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"bogus"}, 2, `unknown command "bogus": want run, test, gc or image`},
		{[]string{"run"}, 2, "run: want exactly one FILE.star, got 0 arguments"},
		{[]string{"run", "/no/such.star"}, 2, `run: scenario file "/no/such.star": no such file or directory`},
		{[]string{"run", dir}, 2, "is a directory: want a .star file"},
		{[]string{"run", notStar}, 2, `x.txt": want a .star file`},
		{[]string{"test", "-bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"test", "-run", "(", dir}, 2, `-run "(": error parsing regexp`},
		{[]string{"gc", "extra"}, 2, `gc takes no arguments, got ["extra"]`},
		{[]string{"image", "frobnicate"}, 2, `image: unknown command "frobnicate": want ls, inspect, load, import, tag or rm`},
		{[]string{"image", "rm"}, 2, "image rm: want 1 argument(s), got 0"},
	}
	for _, tt := range tests {
		out, code := berth(t, root, tt.args...)
		if code != tt.code || !strings.Contains(out, tt.want) {
			t.Errorf("berth %v: exit %d, output %q; want exit %d and %q", tt.args, code, out, tt.code, tt.want)
		}
	}
	if _, err := os.Stat(root); !os.IsNotExist(err) {
		t.Errorf("a failed invocation created the root: %v", err)
	}
}

func TestImageCommands(t *testing.T) {
	needRoot(t)
	root := newRoot(t)
	if out, code := berth(t, root, "image", "ls"); code != 0 || !strings.Contains(out, "busybox:latest") {
		t.Fatalf("image ls: %d %s", code, out)
	}
	rootfs := t.TempDir()
	if err := os.WriteFile(filepath.Join(rootfs, "hello.txt"), []byte("hi"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, code := berth(t, root, "image", "import", rootfs, "mine:v1"); code != 0 || !strings.HasPrefix(out, "sha256:") {
		t.Fatalf("image import: %d %s", code, out)
	}
	if out, _ := berth(t, root, "image", "ls"); !strings.Contains(out, "mine:v1") {
		t.Errorf("imported image not listed:\n%s", out)
	}
	if out, code := berth(t, root, "image", "inspect", "mine:v1"); code != 0 || !strings.Contains(out, `"RepoTags": [`) {
		t.Errorf("image inspect: %d %s", code, out)
	}
	if out, code := berth(t, root, "image", "rm", "mine:v1"); code != 0 {
		t.Errorf("image rm: %d %s", code, out)
	}
	if out, _ := berth(t, root, "image", "ls"); strings.Contains(out, "mine:v1") {
		t.Errorf("removed image still listed:\n%s", out)
	}
	if out, code := berth(t, root, "image", "inspect", "nosuch"); code == 0 || !strings.Contains(out, "No such image: nosuch:latest") {
		t.Errorf("inspect of a missing image: %d %s", code, out)
	}
}
