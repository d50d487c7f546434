package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"berth/runtime/sizedfs"
)

// A run killed with containers whose layers are sized (storage_opt) leaves
// their ext4 file systems mounted on loop devices; gc unmounts them, the
// kernel detaches the devices, and the image files go with the
// directories.
func TestGCSizedLayersAfterSIGKILL(t *testing.T) {
	needRoot(t)
	root := newRoot(t)
	dir := t.TempDir()
	marker := filepath.Join(dir, "ready")
	scenario := writeFile(t, filepath.Join(dir, "sized.star"), fmt.Sprintf(`
def test_hold():
    create("busybox", "true", storage_opt = {"size": "8m"})
    c = run("busybox", "sleep 3600", detach = True, storage_opt = {"size": "16m"})
    c.exec("dd if=/dev/zero of=/f bs=1M count=4")
    host.write_file(%q, "ready")
    sleep(3600)
`, marker))
	b := start(t, root.path, "run", scenario)
	b.waitForFile(t, marker)
	containers := filepath.Join(root.path, "containers")
	loops, err := sizedfs.LoopDevices(containers)
	if err != nil || len(loops) != 2 {
		t.Fatalf("while the scenario runs: loop devices %v, %v; want 2", loops, err)
	}
	images, _ := filepath.Glob(filepath.Join(containers, "*", "layer.img"))
	if len(images) != 2 {
		t.Fatalf("while the scenario runs: layer images %v, want 2", images)
	}

	b.signal(t, syscall.SIGKILL)
	if ws := b.wait(t); ws.Signal() != syscall.SIGKILL {
		t.Fatalf("berth ended with %v, not by SIGKILL\n%s", ws, b.output())
	}
	if loops, _ := sizedfs.LoopDevices(containers); len(loops) != 2 {
		t.Fatalf("after SIGKILL, before gc: loop devices %v, want the 2 still there", loops)
	}
	res := berth(t, root.path, "gc")
	if res.code != 0 || res.stderr != "" {
		t.Fatalf("gc failed\n%s", res)
	}
	if want := "removed 2 containers, 2 mounts, 0 cgroups, 2 state directories, 0 volumes, 1 networks, N host links, N temporary directories\n"; gcReport(res.stdout) != want {
		t.Errorf("gc report %q, want %q", res.stdout, want)
	}
	// The last unmount hands the device back to the kernel, which may
	// finish detaching it a moment later.
	for i := 0; ; i++ {
		loops, err := sizedfs.LoopDevices(containers)
		if err == nil && len(loops) == 0 {
			break
		}
		if i == 200 {
			t.Fatalf("after gc: loop devices %v, %v still backed by the root", loops, err)
		}
		syscall.Nanosleep(&syscall.Timespec{Nsec: 10e6}, nil)
	}
	for _, img := range images {
		if _, err := os.Lstat(img); err == nil {
			t.Errorf("%s left after gc", img)
		}
	}
	if l := root.scan(t); !l.empty() {
		t.Errorf("left after gc: %s", l)
	}
}
