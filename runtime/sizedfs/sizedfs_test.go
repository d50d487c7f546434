package sizedfs

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("loop devices and mounts need root")
	}
	if _, err := exec.LookPath("mkfs.ext4"); err != nil {
		t.Skip("no mkfs.ext4 (e2fsprogs)")
	}
}

// makeForTest makes a sized file system in a temporary directory and
// removes it when the test ends, whatever happened.
func makeForTest(t *testing.T, size int64) (dir, image, mnt string) {
	t.Helper()
	dir = t.TempDir()
	image, mnt = filepath.Join(dir, "layer.img"), filepath.Join(dir, "layer")
	t.Cleanup(func() {
		if err := Unmount(image, mnt); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	if err := Make(image, mnt, size); err != nil {
		t.Fatal(err)
	}
	return dir, image, mnt
}

func TestSizes(t *testing.T) {
	needRoot(t)
	for _, size := range []int64{1 << 20, 16 << 20, 64 << 20, 256 << 20, 1 << 30, 4 << 30} {
		_, _, mnt := makeForTest(t, size)
		var st unix.Statfs_t
		if err := unix.Statfs(mnt, &st); err != nil {
			t.Fatal(err)
		}
		avail := int64(st.Bavail) * st.Bsize
		// At least the size is usable, and at most about 3% and 1 MiB more.
		if avail < size || avail > size+size/32+1<<20 {
			t.Errorf("size %d: %d bytes available (%+d), want from %d to %d", size, avail, avail-size, size, size+size/32+1<<20)
		}
	}
}

func TestWritePastTheSizeFails(t *testing.T) {
	needRoot(t)
	const size = 4 << 20
	_, _, mnt := makeForTest(t, size)
	f, err := os.Create(filepath.Join(mnt, "big"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	written := 0
	for written < 2*size {
		n, err := f.Write(buf)
		written += n
		if err != nil {
			if !errors.Is(err, unix.ENOSPC) {
				t.Fatalf("after %d bytes: %v, want ENOSPC", written, err)
			}
			break
		}
	}
	if written < size || written >= 2*size {
		t.Errorf("wrote %d bytes into a %d-byte layer before ENOSPC", written, size)
	}
}

func TestUnmountLeavesNothing(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	image, mnt := filepath.Join(dir, "layer.img"), filepath.Join(dir, "layer")
	if err := Make(image, mnt, 8<<20); err != nil {
		t.Fatal(err)
	}
	if devs, _ := LoopDevices(dir); len(devs) != 1 {
		t.Errorf("loop devices backed by %s: %v, want one", dir, devs)
	}
	// Something open on it must not block the removal.
	f, err := os.Create(filepath.Join(mnt, "held"))
	if err != nil {
		t.Fatal(err)
	}
	if err := Unmount(image, mnt); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, p := range []string{image, mnt} {
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind (%v)", p, err)
		}
	}
	if devs := waitNoLoops(t, dir); len(devs) != 0 {
		t.Errorf("loop devices left: %v", devs)
	}
	if err := Unmount(image, mnt); err != nil {
		t.Errorf("second Unmount: %v", err)
	}
}

// waitNoLoops polls for the kernel to release the loop devices backed by
// files under dir (a lazily unmounted file system lets go on its own).
func waitNoLoops(t *testing.T, dir string) []string {
	t.Helper()
	var devs []string
	for range 200 {
		devs, _ = LoopDevices(dir)
		if len(devs) == 0 {
			return nil
		}
		unix.Nanosleep(&unix.Timespec{Nsec: 10e6}, nil)
	}
	return devs
}

func TestFailedMakeLeavesNothing(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	image := filepath.Join(dir, "layer.img")
	// The mount point's parent does not exist: Make fails after mkfs.
	if err := Make(image, filepath.Join(dir, "no", "layer"), 4<<20); err == nil {
		t.Fatal("Make succeeded")
	}
	if _, err := os.Lstat(image); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("image left behind (%v)", err)
	}
	if err := Make(image, filepath.Join(dir, "layer"), 0); err == nil {
		t.Error("Make accepted size 0")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("left in %s: %v", dir, entries)
	}
	if devs, _ := LoopDevices(dir); len(devs) != 0 {
		t.Errorf("loop devices left: %v", devs)
	}
}

// An attached device whose owner exits before mounting it is cleared by
// the kernel (AUTOCLEAR); DetachUnder handles one that somehow was not.
func TestDetachUnder(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "img"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(1 << 20); err != nil {
		t.Fatal(err)
	}
	dev, err := attach(f)
	if err != nil {
		t.Fatal(err)
	}
	// Clear AUTOCLEAR, as a crash of an older kernel's loop could leave it.
	info, err := unix.IoctlLoopGetStatus64(int(dev.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	info.Flags &^= unix.LO_FLAGS_AUTOCLEAR
	if err := unix.IoctlLoopSetStatus64(int(dev.Fd()), info); err != nil {
		t.Fatal(err)
	}
	name := dev.Name()
	dev.Close()
	t.Cleanup(func() { _, _ = DetachUnder(dir) })
	devs, err := LoopDevices(dir)
	if err != nil || !slices.Contains(devs, name) {
		t.Fatalf("LoopDevices(%s) = %v, %v; want %s", dir, devs, err, name)
	}
	n, err := DetachUnder(dir)
	if err != nil || n != 1 {
		t.Errorf("DetachUnder = %d, %v; want 1", n, err)
	}
	if devs := waitNoLoops(t, dir); len(devs) != 0 {
		t.Errorf("loop devices left: %v", devs)
	}
}

func TestLoopDevicesFakeSysfs(t *testing.T) {
	sys := t.TempDir()
	for name, backing := range map[string]string{
		"loop0": "/var/tmp/r/containers/a/layer.img\n",
		"loop1": "/var/tmp/r/containers-other/x.img\n",
		"loop2": "", // unbound: no backing_file
		"vda":   "/var/tmp/r/containers/b/layer.img\n",
	} {
		d := filepath.Join(sys, name, "loop")
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if backing != "" {
			if err := os.WriteFile(filepath.Join(d, "backing_file"), []byte(backing), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	got, err := loopDevices(sys, "/var/tmp/r/containers/")
	if err != nil || !slices.Equal(got, []string{"/dev/loop0"}) {
		t.Errorf("loopDevices = %v, %v; want [/dev/loop0]", got, err)
	}
}

// BenchmarkMakeUnmount is a 64 MiB layer's own cost: Make (sparse image,
// mkfs.ext4, loop device, mount) and Unmount (unmount, the kernel's
// detach, removal of the image), as medians.
func BenchmarkMakeUnmount(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("loop devices and mounts need root")
	}
	dir := b.TempDir()
	var makes, unmounts []time.Duration
	for b.Loop() {
		image, mnt := filepath.Join(dir, "layer.img"), filepath.Join(dir, "layer")
		start := time.Now()
		if err := Make(image, mnt, 64<<20); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if err := Unmount(image, mnt); err != nil {
			b.Fatal(err)
		}
		makes, unmounts = append(makes, mid.Sub(start)), append(unmounts, time.Since(mid))
	}
	b.ReportMetric(medianMS(makes), "make-median-ms")
	b.ReportMetric(medianMS(unmounts), "unmount-median-ms")
}

func medianMS(d []time.Duration) float64 {
	slices.Sort(d)
	return float64(d[len(d)/2].Microseconds()) / 1000
}
