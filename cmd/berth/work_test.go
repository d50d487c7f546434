package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// berth test -work keeps what a failing case made, and its file's top
// level, says how to look at it, and berth gc removes it all afterwards;
// a passing case is torn down as usual.
func TestWorkKeepsFailedCaseUntilGC(t *testing.T) {
	needRoot(t)
	root := newRoot(t)
	dir := t.TempDir()
	scenario := writeFile(t, filepath.Join(dir, "work.star"), `
top = run("busybox", "sleep 3600", detach = True, name = "top")

def test_passes():
    run("busybox", "sleep 3600", detach = True, name = "passing")

def test_fails():
    network.create("kept_net")
    volume.create("kept_vol")
    run("busybox", "sleep 3600", detach = True, name = "failing", network = "kept_net", volumes = ["kept_vol:/data"])
    assert.eq(1, 2)
`)
	res := berth(t, root.path, "test", "-work", scenario)
	if res.code != 1 {
		t.Fatalf("want exit 1 (a case failed)\n%s", res)
	}
	for _, want := range []string{"kept (-work):", "container failing (", "nsenter --target ", "network kept_net: stored as ", "volume kept_vol: berth volume inspect "} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("report lacks %q\n%s", want, res)
		}
	}
	if want := "Remove it all with: berth --root " + root.path + " gc\n"; !strings.Contains(res.stderr, want) {
		t.Errorf("stderr lacks %q\n%s", want, res)
	}

	// Kept: the failing case's container and the top level's, running,
	// with kept_net and the file's default bridge. The passing case's
	// container is gone.
	kept := root.scan(t)
	if len(kept.ids()) != 2 || len(kept.pids) != 2 || len(kept.networks) != 2 {
		t.Fatalf("after berth test -work, want 2 running containers and 2 networks kept: %s", kept)
	}
	checkHeld(t, kept, kept.ids())
	procs := identify(t, kept.pids)

	// The report's way to look at the volume works.
	m := regexp.MustCompile(`berth volume inspect (\S+)`).FindStringSubmatch(res.stdout)
	if m == nil {
		t.Fatalf("no volume inspect command in the report\n%s", res)
	}
	if insp := berth(t, root.path, "volume", "inspect", m[1]); insp.code != 0 || !strings.Contains(insp.stdout, m[1]) {
		t.Errorf("volume inspect %s, as the report says\n%s", m[1], insp)
	}

	gc := berth(t, root.path, "gc")
	if gc.code != 0 || gc.stderr != "" {
		t.Fatalf("gc failed\n%s", gc)
	}
	if want := "removed 2 containers, 2 mounts, 0 cgroups, 2 state directories, 1 volumes, 2 networks, N host links, N temporary directories\n"; gcReport(gc.stdout) != want {
		t.Errorf("gc report %q, want %q", gc.stdout, want)
	}
	if l := root.scan(t); !l.empty() {
		t.Errorf("left after gc: %s", l)
	}
	if alive := procs.alive(); len(alive) > 0 {
		t.Errorf("container processes %v still alive after gc", alive)
	}
	if vols, err := os.ReadDir(filepath.Join(root.path, "volumes")); err != nil || len(vols) > 1 {
		t.Errorf("volumes after gc: %v, %v; want none (only the lock file)", vols, err)
	}
}

// Without -work a failing case is torn down as before, and nothing is
// said about keeping.
func TestWithoutWorkFailedCaseIsRemoved(t *testing.T) {
	needRoot(t)
	root := newRoot(t)
	scenario := writeFile(t, filepath.Join(t.TempDir(), "fail.star"), `
def test_fails():
    run("busybox", "sleep 3600", detach = True, name = "failing")
    assert.eq(1, 2)
`)
	res := berth(t, root.path, "test", scenario)
	if res.code != 1 || strings.Contains(res.stdout+res.stderr, "kept") {
		t.Fatalf("want exit 1 and nothing kept\n%s", res)
	}
	if l := root.scan(t); !l.empty() {
		t.Errorf("left after a run without -work: %s", l)
	}
}
