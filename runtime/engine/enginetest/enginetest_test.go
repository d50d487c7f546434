package enginetest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"berth/runtime/container"
)

// The checker must see each kind of leak, and only this engine's cgroups.
func TestLeftoversSeesEachKindOfLeak(t *testing.T) {
	env := New(t)
	if got := env.Leftovers(); len(got) != 0 {
		t.Fatalf("fresh engine: leftovers %v", got)
	}
	hierarchy := filepath.Join(container.CgroupRoot, "memory")
	if _, err := os.Stat(hierarchy); err != nil {
		hierarchy = container.CgroupRoot // cgroup v2
	}
	ours, others := strings.Repeat("ab", 32), strings.Repeat("cd", 32)
	ctrDir := filepath.Join(env.Engine.Root(), "containers", ours)
	mnt := filepath.Join(ctrDir, "rootfs")
	ourCgroup := filepath.Join(hierarchy, "berth-"+ours)
	otherCgroup := filepath.Join(hierarchy, "berth-"+others)
	for _, dir := range []string{ctrDir, mnt, ourCgroup, otherCgroup} {
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, ""); err != nil {
		t.Fatal(err)
	}
	undo := func() {
		unix.Unmount(mnt, unix.MNT_DETACH)
		os.Remove(ourCgroup)
		os.Remove(otherCgroup)
		os.RemoveAll(ctrDir)
	}
	defer undo()

	got := env.Leftovers()
	rel, _ := filepath.Rel(container.CgroupRoot, ourCgroup)
	for _, want := range []string{ctrDir, "mount " + mnt, "cgroup " + rel} {
		if !slices.Contains(got, want) {
			t.Errorf("leftovers %q lack %q", got, want)
		}
	}
	if len(got) != 3 {
		t.Errorf("leftovers %q: want exactly 3 (not the other process's cgroup)", got)
	}
	undo()
	if got := env.Leftovers(); len(got) != 0 {
		t.Errorf("after undoing the leaks: leftovers %v", got)
	}
}
