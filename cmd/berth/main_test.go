package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"

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

// Bounds on waiting, so that a hung berth fails the test instead of
// hanging it. They are deadlines, not expectations: nothing is timed.
const (
	commandDeadline = 2 * time.Minute  // one berth command to complete
	markerDeadline  = 60 * time.Second // a scenario to reach its marker
)

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("berth runs containers: the tests need root")
	}
}

// berthCmd prepares `berth --root root args...` as a child process.
func berthCmd(ctx context.Context, root string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], append([]string{"--root", root}, args...)...)
	cmd.Env = append(os.Environ(), berthAsMain+"=1")
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// result is how a berth command ended.
type result struct {
	stdout, stderr string
	code           int
}

// lastLine is the last line of stdout.
func (r result) lastLine() string {
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	return lines[len(lines)-1]
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s--- stderr:\n%s", r.code, r.stdout, r.stderr)
}

// berth runs berth to completion (killing it after commandDeadline).
func berth(t *testing.T, root string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandDeadline)
	defer cancel()
	cmd := berthCmd(ctx, root, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Errorf("berth %q did not end within %s; killed it\n%s", args, commandDeadline, res)
		res.code = -1
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("berth %q: %v", args, err)
	}
	return res
}

// background is a berth process the test signals or kills.
type background struct {
	cmd            *exec.Cmd
	stdout, stderr syncBuffer
	done           chan struct{} // closed when the process has been waited for
	state          *os.ProcessState
}

// syncBuffer is a bytes.Buffer that the process writes while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// start starts berth in the background. Cleanup kills it, by its PID only,
// if the test left it running.
func start(t *testing.T, root string, args ...string) *background {
	t.Helper()
	b := &background{done: make(chan struct{})}
	b.cmd = berthCmd(context.Background(), root, args...)
	b.cmd.Stdout, b.cmd.Stderr = &b.stdout, &b.stderr
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("start berth %q: %v", args, err)
	}
	go func() {
		_ = b.cmd.Wait()
		b.state = b.cmd.ProcessState
		close(b.done)
	}()
	t.Cleanup(func() {
		select {
		case <-b.done:
		default:
			_ = b.cmd.Process.Signal(syscall.SIGKILL)
			<-b.done
		}
	})
	return b
}

func (b *background) exited() bool {
	select {
	case <-b.done:
		return true
	default:
		return false
	}
}

func (b *background) output() string {
	return fmt.Sprintf("--- stdout:\n%s--- stderr:\n%s", b.stdout.String(), b.stderr.String())
}

// signal sends sig to the berth process, and to nothing else.
func (b *background) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := b.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal berth %d: %v", b.cmd.Process.Pid, err)
	}
}

// wait waits for the process to end and returns its status.
func (b *background) wait(t *testing.T) syscall.WaitStatus {
	t.Helper()
	select {
	case <-b.done:
	case <-time.After(commandDeadline):
		t.Fatalf("berth still running after %s\n%s", commandDeadline, b.output())
	}
	return b.state.Sys().(syscall.WaitStatus)
}

// waitFor polls cond until it holds, failing the test when berth exits
// first or markerDeadline passes.
func (b *background) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(markerDeadline)
	for !cond() {
		if b.exited() {
			t.Fatalf("berth ended before %s\n%s", what, b.output())
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s\n%s", what, markerDeadline, b.output())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitForFile waits for the scenario to write its marker file.
func (b *background) waitForFile(t *testing.T, path string) {
	t.Helper()
	b.waitFor(t, "marker "+path, func() bool {
		_, err := os.Stat(path)
		return err == nil
	})
}

// testRoot is a berth root of one test. It remembers the ids of every
// container it has seen, so that a container whose directories are gone
// is still checked for (and cleaned of) cgroups and processes.
type testRoot struct {
	path    string
	seen    map[string]bool // container ids ever seen
	devices map[string]bool // bridges of the root's networks ever seen
}

// newRoot makes a root that is garbage-collected and removed after the
// test, whatever happened. Whatever gc leaves behind (a bug the test
// reports) is killed, unmounted and removed by hand, so one failure does
// not leak into the next test or the machine.
func newRoot(t *testing.T) *testRoot {
	t.Helper()
	// Short and free of the characters overlayfs options cannot carry.
	path, err := os.MkdirTemp("", "berth-cli-")
	if err != nil {
		t.Fatal(err)
	}
	r := &testRoot{path: path, seen: map[string]bool{}, devices: map[string]bool{}}
	t.Cleanup(func() {
		if res := berth(t, path, "gc"); res.code != 0 {
			t.Errorf("cleanup: berth gc failed\n%s", res)
		}
		if l := r.scan(t); !l.empty() {
			t.Errorf("cleanup: berth gc left %s; removing it by hand", l)
			r.forceClean(t, l)
		}
		if err := os.RemoveAll(path); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return r
}

// leftovers is what berth state exists for a root: container and
// libcontainer state directories, mounts under the root, cgroups of the
// root's containers and the processes in them.
type leftovers struct {
	containers, runc, mounts, cgroups []string
	networks, links                   []string // network records, and host links of networks seen
	pids                              []int
}

func (l leftovers) empty() bool {
	return len(l.containers)+len(l.runc)+len(l.mounts)+len(l.cgroups)+len(l.pids)+len(l.networks)+len(l.links) == 0
}

func (l leftovers) String() string {
	return fmt.Sprintf("containers %q, runc state %q, mounts %q, cgroups %q, processes %v, networks %q, links %q",
		l.containers, l.runc, l.mounts, l.cgroups, l.pids, l.networks, l.links)
}

// ids are the container ids with a directory under containers/.
func (l leftovers) ids() []string { return slices.Clone(l.containers) }

func (r *testRoot) scan(t *testing.T) leftovers {
	t.Helper()
	var l leftovers
	for _, sub := range []string{"containers", "runc"} {
		entries, err := os.ReadDir(filepath.Join(r.path, sub))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			r.seen[e.Name()] = true
			if sub == "containers" {
				l.containers = append(l.containers, e.Name())
			} else {
				l.runc = append(l.runc, e.Name())
			}
		}
	}
	mounts, err := mountinfo.GetMounts(func(m *mountinfo.Info) (skip, stop bool) {
		return !strings.HasPrefix(m.Mountpoint, r.path+"/"), false
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mounts {
		l.mounts = append(l.mounts, m.Mountpoint)
	}
	nets, err := os.ReadDir(filepath.Join(r.path, "networks"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	for _, e := range nets {
		if !e.IsDir() {
			continue
		}
		l.networks = append(l.networks, e.Name())
		var rec struct {
			Device string `json:"device"`
			Driver string `json:"driver"`
		}
		if data, err := os.ReadFile(filepath.Join(r.path, "networks", e.Name(), "network.json")); err == nil && json.Unmarshal(data, &rec) == nil && rec.Driver == "bridge" {
			r.devices[rec.Device] = true
		}
	}
	for dev := range r.devices {
		if _, err := os.Stat("/sys/class/net/" + dev); err == nil {
			l.links = append(l.links, dev)
		}
	}
	slices.Sort(l.links)
	pids := map[int]bool{}
	for id := range r.seen {
		for _, cg := range cgroupsOf(id) {
			l.cgroups = append(l.cgroups, cg)
			for _, pid := range cgroupProcs(cg) {
				pids[pid] = true
			}
		}
	}
	for pid := range pids {
		l.pids = append(l.pids, pid)
	}
	slices.Sort(l.cgroups)
	slices.Sort(l.pids)
	return l
}

// settled reports whether n of the root's containers run `sleep 3600`
// as their one process: the helper processes of a container's start
// (libcontainer's init stages, each alone in the cgroup for a moment) have
// come and gone, so the processes seen now are the ones to check on.
// Containers without processes (created, not started) do not count.
func (r *testRoot) settled(t *testing.T, n int) bool {
	t.Helper()
	running := 0
	for _, id := range r.scan(t).ids() {
		pids := map[int]bool{}
		for _, cg := range cgroupsOf(id) {
			for _, pid := range cgroupProcs(cg) {
				pids[pid] = true
			}
		}
		for pid := range pids {
			cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			if len(pids) > 1 || string(cmdline) != "sleep\x003600\x00" {
				return false
			}
			running++
		}
	}
	return running == n
}

// cgroupsOf lists the cgroup directories of container id: one per v1
// hierarchy (and the hybrid layout's unified one), or the one of a pure
// v2 layout.
func cgroupsOf(id string) []string {
	name := "berth-" + id
	dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", name))
	if _, err := os.Stat(filepath.Join("/sys/fs/cgroup", name)); err == nil {
		dirs = append(dirs, filepath.Join("/sys/fs/cgroup", name))
	}
	return dirs
}

func cgroupProcs(dir string) []int {
	data, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	var pids []int
	for _, f := range strings.Fields(string(data)) {
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// forceClean removes by hand what gc should have removed: it kills the
// processes of the root's containers (found through their cgroups, so
// nothing else is touched), unmounts what is mounted under the root and
// removes the cgroups.
func (r *testRoot) forceClean(t *testing.T, l leftovers) {
	for _, pid := range l.pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	for i := len(l.mounts) - 1; i >= 0; i-- {
		if err := unix.Unmount(l.mounts[i], unix.MNT_DETACH); err != nil {
			t.Errorf("cleanup: unmount %s: %v", l.mounts[i], err)
		}
	}
	for _, cg := range l.cgroups {
		deadline := time.Now().Add(10 * time.Second)
		for {
			err := os.Remove(cg)
			if err == nil || errors.Is(err, os.ErrNotExist) {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("cleanup: remove cgroup %s: %v", cg, err)
				break
			}
			for _, pid := range cgroupProcs(cg) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// processes identifies the processes of containers by PID and start time,
// so that a PID reused after they die is not taken for one of them.
type processes map[int]uint64

func identify(t *testing.T, pids []int) processes {
	t.Helper()
	ps := processes{}
	for _, pid := range pids {
		st, err := store.ProcessStartTime(pid)
		if err != nil {
			t.Fatalf("container process %d: %v", pid, err)
		}
		ps[pid] = st
	}
	return ps
}

// alive lists those still alive. A zombie counts as dead: once its parent
// berth is gone, whoever adopted it reaps it in its own time.
func (ps processes) alive() []int {
	var pids []int
	for pid, st := range ps {
		if store.ProcessAlive(pid, st) {
			pids = append(pids, pid)
		}
	}
	slices.Sort(pids)
	return pids
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// holdScenario starts detached containers, writes marker and then waits
// forever: in a foreground container when foreground is set, in sleep()
// otherwise. Its second case only runs if the first one ends.
func holdScenario(marker string, detached int, foreground bool) string {
	wait := `sleep(3600)`
	if foreground {
		wait = `run("busybox", "sleep 3600", name = "fg")`
	}
	return fmt.Sprintf(`
def test_hold():
    for i in range(%d):
        run("busybox", "sleep 3600", detach = True, name = "held%%d" %% i)
    host.write_file(%q, "ready")
    %s

def test_after():
    pass
`, detached, marker, wait)
}
