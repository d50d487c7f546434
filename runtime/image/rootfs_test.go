package image

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/moby/sys/mountinfo"
)

// mountForTest mounts a container root filesystem and unmounts it when the
// test ends, whatever happens.
func mountForTest(t testing.TB, img *Image, readonly bool) (dir, rootfs string) {
	t.Helper()
	dir = t.TempDir()
	t.Cleanup(func() {
		if err := UnmountRootfs(dir); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	rootfs, err := MountRootfs(img, dir, readonly)
	if err != nil {
		t.Fatal(err)
	}
	return dir, rootfs
}

func TestMountRootfs(t *testing.T) {
	s := openStore(t)
	img := mustGet(t, s, "busybox")
	dir, rootfs := mountForTest(t, img, false)
	if rootfs != filepath.Join(dir, "rootfs") {
		t.Errorf("rootfs = %s, want %s/rootfs", rootfs, dir)
	}
	if m, err := mountinfo.Mounted(rootfs); err != nil || !m {
		t.Fatalf("%s is not a mount point (%v)", rootfs, err)
	}
	var imgRoot, ctrRoot syscall.Stat_t
	if err := syscall.Stat(img.Layers[0], &imgRoot); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Stat(rootfs, &ctrRoot); err != nil {
		t.Fatal(err)
	}
	if ctrRoot.Mode != imgRoot.Mode || ctrRoot.Uid != imgRoot.Uid {
		t.Errorf("container / has mode %o uid %d, image / has %o %d", ctrRoot.Mode, ctrRoot.Uid, imgRoot.Mode, imgRoot.Uid)
	}

	// Writes land in the upper layer only.
	writeFile(t, filepath.Join(rootfs, "new"), []byte("container"))
	if err := os.WriteFile(filepath.Join(rootfs, "etc/passwd"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(rootfs, "bin/ls")); err != nil {
		t.Fatal(err)
	}
	mustNotExist(t, filepath.Join(img.Layers[0], "new"))
	if got := readString(t, filepath.Join(img.Layers[0], "etc/passwd")); got != busyboxPasswd {
		t.Errorf("image /etc/passwd changed to %q", got)
	}
	if _, err := os.Stat(filepath.Join(img.Layers[0], "bin/ls")); err != nil {
		t.Errorf("image /bin/ls: %v", err)
	}
	if got := readString(t, filepath.Join(dir, "upper/new")); got != "container" {
		t.Errorf("upper/new = %q", got)
	}

	// The image cannot be removed while a container uses it.
	if err := s.Remove("busybox"); !errors.Is(err, ErrInUse) {
		t.Errorf("Remove(busybox) while mounted: %v, want ErrInUse", err)
	}
	if err := UnmountRootfs(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"rootfs", "upper", "work"} {
		mustNotExist(t, filepath.Join(dir, name))
	}
	if err := UnmountRootfs(dir); err != nil {
		t.Errorf("second UnmountRootfs: %v", err)
	}
	if err := UnmountRootfs(filepath.Join(dir, "never-created")); err != nil {
		t.Errorf("UnmountRootfs of a missing directory: %v", err)
	}
	if err := s.Remove("busybox"); err != nil {
		t.Errorf("Remove(busybox) after unmount: %v", err)
	}
}

func TestMountRootfsReadonly(t *testing.T) {
	s := openStore(t)
	_, rootfs := mountForTest(t, mustGet(t, s, "busybox"), true)
	err := os.WriteFile(filepath.Join(rootfs, "new"), nil, 0o644)
	if !errors.Is(err, syscall.EROFS) {
		t.Errorf("write in a read-only rootfs: %v, want EROFS", err)
	}
}

// A stopped container's layer is mounted again with its changes; mounting
// twice at once is refused.
func TestMountRootfsAgain(t *testing.T) {
	s := openStore(t)
	img := mustGet(t, s, "busybox")
	dir, rootfs := mountForTest(t, img, false)
	writeFile(t, filepath.Join(rootfs, "kept"), []byte("yes"))
	if _, err := MountRootfs(img, dir, false); err == nil {
		t.Error("a second mount on a mounted rootfs succeeded")
	}
	if err := syscall.Unmount(rootfs, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := MountRootfs(img, dir, false); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, filepath.Join(rootfs, "kept")); got != "yes" {
		t.Errorf("after remount kept = %q", got)
	}
}

func TestMountRootfsBadInput(t *testing.T) {
	if _, err := MountRootfs(nil, t.TempDir(), false); err == nil {
		t.Error("mount without an image succeeded")
	}
	missing := &Image{ID: "sha256:x", RootDir: "/nonexistent"}
	dir := t.TempDir()
	if _, err := MountRootfs(missing, dir, false); err == nil {
		t.Error("mount of a missing image succeeded")
	}
	comma := &Image{ID: "sha256:x", RootDir: t.TempDir() + "/a,b"}
	if _, err := MountRootfs(comma, dir, false); err == nil {
		t.Error("mount of a path with a comma succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed mounts left %v", entries)
	}
}

func BenchmarkMountRootfs(b *testing.B) {
	s := openStore(b)
	img := mustGet(b, s, "busybox")
	dir := b.TempDir()
	b.Cleanup(func() { UnmountRootfs(dir) })
	b.ResetTimer()
	for b.Loop() {
		rootfs, err := MountRootfs(img, dir, false)
		if err != nil {
			b.Fatal(err)
		}
		writeFile(b, filepath.Join(rootfs, "tmp/x"), []byte("x"))
		if err := UnmountRootfs(dir); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBusyboxBuild(b *testing.B) {
	for b.Loop() {
		s := openStore(b)
		if _, err := s.Get("busybox"); err != nil {
			b.Fatal(err)
		}
	}
}
