package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
)

const cleanGC = "removed 0 containers, 0 mounts, 0 cgroups, 0 state directories, 0 volumes, 0 networks, N host links, N temporary directories\n"

// hostCounts are the counts of gc's report that are not the root's: gc
// removes the marked links and temporary directories of any run that has
// ended, and other tests on the machine may leave some at any time.
var hostCounts = regexp.MustCompile(`\d+ host links, \d+ temporary directories`)

// gcReport is gc's stdout with the host-wide counts replaced by N.
func gcReport(stdout string) string {
	return hostCounts.ReplaceAllString(stdout, "N host links, N temporary directories")
}

// checkHeld checks that each of ids has everything a running container
// has: its directory, libcontainer state, root filesystem mount, cgroups
// and a process.
func checkHeld(t *testing.T, l leftovers, ids []string) {
	t.Helper()
	has := func(list []string, want string) bool {
		return slices.ContainsFunc(list, func(s string) bool { return strings.Contains(s, want) })
	}
	for _, id := range ids {
		switch {
		case !slices.Contains(l.containers, id):
			t.Errorf("container %s: no directory under containers/: %s", id, l)
		case !slices.Contains(l.runc, id):
			t.Errorf("container %s: no libcontainer state: %s", id, l)
		case !has(l.mounts, "/containers/"+id+"/rootfs"):
			t.Errorf("container %s: root filesystem not mounted: %s", id, l)
		case !has(l.cgroups, "berth-"+id):
			t.Errorf("container %s: no cgroup: %s", id, l)
		}
		procs := 0
		for _, cg := range cgroupsOf(id) {
			procs += len(cgroupProcs(cg))
		}
		if procs == 0 {
			t.Errorf("container %s: no process in its cgroups", id)
		}
	}
}

// The recovery test: SIGKILL berth in the middle of a scenario,
// then berth gc removes every container, process, mount, cgroup and state
// directory it left.
func TestGCAfterSIGKILL(t *testing.T) {
	needRoot(t)
	root := newRoot(t)
	dir := t.TempDir()
	marker := filepath.Join(dir, "ready")
	scenario := writeFile(t, filepath.Join(dir, "hold.star"), fmt.Sprintf(`
idle = create("busybox", "true", name = "idle", volumes = ["scratch:/data", "/anon"])
volume.create("made")
net = network.create("held_net")
volume.create("kept-by-user", keep = True)

def test_hold():
    for i in range(3):
        run("busybox", "sleep 3600", detach = True, name = "held%%d" %% i, network = ["bridge", "held_net", "none"][i])
    host.write_file(%q, "ready")
    sleep(3600)
`, marker))
	b := start(t, root.path, "run", scenario)
	b.waitForFile(t, marker)
	b.waitFor(t, "3 settled containers", func() bool { return root.settled(t, 3) })

	// Three running containers and one created, never started: it has a
	// directory and a mounted root filesystem, but no process yet.
	before := root.scan(t)
	if len(before.ids()) != 4 || len(before.mounts) != 4 || len(before.runc) != 3 || len(before.pids) != 3 {
		t.Fatalf("while the scenario runs, want 4 containers with a mount each, 3 of them with a process: %s", before)
	}
	if len(before.networks) != 2 || len(before.links) != 2 {
		t.Fatalf("while the scenario runs, want 2 networks (held_net and the default bridge) with their bridges: %s", before)
	}
	checkHeld(t, before, before.runc)
	procs := identify(t, before.pids)

	b.signal(t, syscall.SIGKILL)
	if ws := b.wait(t); ws.Signal() != syscall.SIGKILL {
		t.Fatalf("berth ended with %v, not by SIGKILL\n%s", ws, b.output())
	}
	// Without a shim nothing tears the containers down: they keep running.
	if l := root.scan(t); fmt.Sprint(l) != fmt.Sprint(before) || len(procs.alive()) != 3 {
		t.Fatalf("after SIGKILL, before gc: %s; want it as it was: %s", l, before)
	}

	res := berth(t, root.path, "gc")
	if res.code != 0 || res.stderr != "" {
		t.Fatalf("gc failed\n%s", res)
	}
	// libcontainer removes the cgroups when gc destroys a container, so
	// gc itself finds none left to count.
	// scratch, made and the anonymous one are the dead run's; the kept
	// one outlives runs by design. The networks: held_net and the
	// file's default bridge.
	if want := "removed 4 containers, 4 mounts, 0 cgroups, 4 state directories, 3 volumes, 2 networks, N host links, N temporary directories\n"; gcReport(res.stdout) != want {
		t.Errorf("gc report %q, want %q", res.stdout, want)
	}
	if vols, err := os.ReadDir(filepath.Join(root.path, "volumes")); err != nil || len(vols) != 2 || vols[1].Name() != "kept-by-user" {
		t.Errorf("volumes after gc: %v, %v; want only kept-by-user (and the lock file)", vols, err)
	}
	if l := root.scan(t); !l.empty() {
		t.Errorf("left after gc: %s", l)
	}
	if alive := procs.alive(); len(alive) > 0 {
		t.Errorf("container processes %v still alive after gc", alive)
	}
	if res := berth(t, root.path, "gc"); res.code != 0 || gcReport(res.stdout) != cleanGC {
		t.Errorf("second gc, want %q\n%s", cleanGC, res)
	}
}

// gc removes what a killed run left on a root and leaves alone the
// containers of another run, alive, on the same root.
func TestGCSparesLiveRun(t *testing.T) {
	needRoot(t)
	root := newRoot(t)
	dir := t.TempDir()
	liveMarker, deadMarker := filepath.Join(dir, "live-ready"), filepath.Join(dir, "dead-ready")
	live := start(t, root.path, "run", writeFile(t, filepath.Join(dir, "live.star"), holdScenario(liveMarker, 3, true)))
	live.waitForFile(t, liveMarker)
	live.waitFor(t, "the live run's 4 containers", func() bool { return root.settled(t, 4) })
	liveBefore := root.scan(t)
	liveIDs := liveBefore.ids()
	liveProcs := identify(t, liveBefore.pids)

	dead := start(t, root.path, "run", writeFile(t, filepath.Join(dir, "dead.star"), holdScenario(deadMarker, 2, false)))
	dead.waitForFile(t, deadMarker)
	dead.waitFor(t, "the killed run's 2 containers", func() bool { return root.settled(t, 6) })
	var deadIDs []string
	for _, id := range root.scan(t).ids() {
		if !slices.Contains(liveIDs, id) {
			deadIDs = append(deadIDs, id)
		}
	}
	dead.signal(t, syscall.SIGKILL)
	dead.wait(t)

	res := berth(t, root.path, "gc")
	if want := "removed 2 containers, 2 mounts, 0 cgroups, 2 state directories, 0 volumes, 1 networks, N host links, N temporary directories\n"; res.code != 0 || gcReport(res.stdout) != want {
		t.Errorf("gc with one dead and one live run: want %q\n%s", want, res)
	}
	after := root.scan(t)
	if fmt.Sprint(after) != fmt.Sprint(liveBefore) {
		t.Errorf("after gc, want only the live run's containers, as they were\n got: %s\nwant: %s", after, liveBefore)
	}
	checkHeld(t, after, liveIDs)
	if alive := liveProcs.alive(); len(alive) != len(liveProcs) {
		t.Errorf("gc killed processes of the live run: %d of %d left", len(alive), len(liveProcs))
	}
	if len(deadIDs) != 2 {
		t.Errorf("the killed run's containers: %q, want 2", deadIDs)
	}
	if live.exited() {
		t.Fatalf("the live run ended during gc\n%s", live.output())
	}

	// The live run still owns its containers: it removes them itself.
	live.signal(t, syscall.SIGTERM)
	if ws := live.wait(t); ws.ExitStatus() != 128+int(syscall.SIGTERM) {
		t.Errorf("live run after SIGTERM: %v\n%s", ws, live.output())
	}
	if l := root.scan(t); !l.empty() {
		t.Errorf("left after the live run ended: %s", l)
	}
}

// A run that keeps creating and removing containers is never disturbed by
// gc runs on its root: gc must tell a container being created (directory
// without its record yet) or removed from one a dead run left.
func TestGCDuringBusyRun(t *testing.T) {
	needRoot(t)
	root := newRoot(t)
	dir := t.TempDir()
	const busy = `
def test_busy():
    kept = [run("busybox", "sleep 3600", detach = True) for i in range(2)]
    for i in range(60):
        c = run("busybox", "sleep 3600", detach = True)
        assert.eq(run("busybox", "true").exit_code, 0)
        c.rm(force = True)
    for c in kept:
        assert.eq(c.status, "running")
`
	for _, name := range []string{"a.star", "b.star"} {
		writeFile(t, filepath.Join(dir, name), busy)
	}
	b := start(t, root.path, "test", "-parallel", "2", dir)
	gcs := 0
	for !b.exited() {
		res := berth(t, root.path, "gc")
		if res.code != 0 || gcReport(res.stdout) != cleanGC {
			t.Errorf("gc during a busy live run, want %q\n%s", cleanGC, res)
			break
		}
		gcs++
	}
	ws := b.wait(t)
	if ws.ExitStatus() != 0 || !strings.HasSuffix(b.stdout.String(), "2 passed, 0 failed\n") {
		t.Errorf("the busy run, with %d gc runs beside it: %v\n%s", gcs, ws, b.output())
	}
	t.Logf("%d gc runs during the busy run", gcs)
}

// gc removes the state a run killed at the worst moments leaves: a
// container directory without its record (killed right after creating it)
// and libcontainer state without state.json (killed inside libcontainer's
// start).
func TestGCTornState(t *testing.T) {
	needRoot(t)
	root := newRoot(t)
	if res := berth(t, root.path, "gc"); res.code != 0 {
		t.Fatalf("gc on a new root\n%s", res)
	}
	noRecord := strings.Repeat("a", 64)
	noStateJSON := strings.Repeat("b", 64)
	writeFile(t, filepath.Join(root.path, "containers", noRecord, "upper", "file"), "x")
	if err := os.MkdirAll(filepath.Join(root.path, "runc", noStateJSON), 0o711); err != nil {
		t.Fatal(err)
	}
	res := berth(t, root.path, "gc")
	if res.code != 0 || !strings.Contains(res.stdout, ", 1 state directories, 0 volumes, 0 networks, ") {
		t.Errorf("gc of torn state\n%s", res)
	}
	if l := root.scan(t); !l.empty() {
		t.Errorf("left after gc: %s", l)
	}
}
