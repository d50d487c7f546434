package volume

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Every entry of the source tree gets these times, distinct from each
// other and from now, so a copy that does not set them shows.
var (
	testAtime = time.Date(2001, 2, 3, 4, 5, 6, 123456789, time.UTC)
	testMtime = time.Date(2002, 3, 4, 5, 6, 7, 987654321, time.UTC)
)

// buildTree makes a source tree with one of every kind of entry CopyUp
// handles, then sets every entry's times, children before parents.
func buildTree(t *testing.T, src string) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(src, "owned"), "owned by 1234:5678", 0o640)
	must(os.Lchown(filepath.Join(src, "owned"), 1234, 5678))
	writeFile(t, filepath.Join(src, "setuid"), "#!/bin/sh\n", 0o755)
	must(os.Chown(filepath.Join(src, "setuid"), 0, 0))
	must(unix.Chmod(filepath.Join(src, "setuid"), 0o4755)) // os.Chmod has its own bits for these
	writeFile(t, filepath.Join(src, "setgid"), "x", 0o755)
	must(unix.Chmod(filepath.Join(src, "setgid"), 0o2711))
	must(os.Mkdir(filepath.Join(src, "tmp"), 0o755))
	must(unix.Chmod(filepath.Join(src, "tmp"), 0o1777))
	must(os.Mkdir(filepath.Join(src, "private"), 0o700))
	must(os.Chmod(filepath.Join(src, "private"), 0o500)) // read-only: copy must fill it anyway
	writeFile(t, filepath.Join(src, "private", "ro"), "read only", 0o400)
	must(os.Chmod(filepath.Join(src, "private"), 0o500))

	must(os.Symlink("/etc/passwd", filepath.Join(src, "abs")))
	must(os.Symlink("../owned", filepath.Join(src, "tmp", "rel")))
	must(os.Symlink("/nonexistent/dangling", filepath.Join(src, "dangling")))
	must(os.Symlink("/etc", filepath.Join(src, "etc-link")))
	must(os.Lchown(filepath.Join(src, "abs"), 42, 43))

	writeFile(t, filepath.Join(src, "hard1"), "linked", 0o644)
	must(os.Link(filepath.Join(src, "hard1"), filepath.Join(src, "hard2")))
	writeFile(t, filepath.Join(src, "sub", "deep", "plain"), "deep", 0o600)
	must(os.Link(filepath.Join(src, "hard1"), filepath.Join(src, "sub", "deep", "hard3")))

	must(unix.Mkfifo(filepath.Join(src, "fifo"), 0o620))
	must(os.Chmod(filepath.Join(src, "fifo"), 0o620))
	must(unix.Mknod(filepath.Join(src, "null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))))
	must(os.Chmod(filepath.Join(src, "null"), 0o666))

	walkPostOrder(t, src, func(p string) {
		ts := []unix.Timespec{unix.NsecToTimespec(testAtime.UnixNano()), unix.NsecToTimespec(testMtime.UnixNano())}
		must(unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW))
	})
	// Root's own metadata is copied onto the volume's directory too.
	must(os.Chown(src, 1234, 5678))
	must(os.Chmod(src, 0o750))
	ts := []unix.Timespec{unix.NsecToTimespec(testAtime.UnixNano()), unix.NsecToTimespec(testMtime.UnixNano())}
	must(unix.UtimesNanoAt(unix.AT_FDCWD, src, ts, 0))
}

// walkPostOrder calls fn on every entry under root (not root itself),
// children before their directory, without following symlinks.
func walkPostOrder(t *testing.T, root string, fn func(string)) {
	t.Helper()
	list, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		p := filepath.Join(root, e.Name())
		if e.IsDir() {
			walkPostOrder(t, p, fn)
		}
		fn(p)
	}
}

func TestCopyUpPreservesMetadata(t *testing.T) {
	requireRoot(t)
	src, dst := filepath.Join(t.TempDir(), "src"), t.TempDir()
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	buildTree(t, src)
	xattrs := unix.Lsetxattr(filepath.Join(src, "owned"), "user.berth", []byte("kept"), 0) == nil
	if xattrs {
		// Setting the attribute changed ctime only; mtime stays testMtime.
		if err := unix.Setxattr(src, "user.root", []byte("r"), 0); err != nil {
			t.Fatal(err)
		}
	}

	if err := CopyUp(src, dst); err != nil {
		t.Fatal(err)
	}

	// Stat everything first: reading a copied file or directory may move
	// its atime, which the checks below compare.
	type meta struct {
		mode     uint32
		uid, gid uint32
		rdev     uint64
	}
	tests := []struct {
		path string
		want meta
	}{
		{".", meta{unix.S_IFDIR | 0o750, 1234, 5678, 0}},
		{"owned", meta{unix.S_IFREG | 0o640, 1234, 5678, 0}},
		{"setuid", meta{unix.S_IFREG | 0o4755, 0, 0, 0}},
		{"setgid", meta{unix.S_IFREG | 0o2711, 0, 0, 0}},
		{"tmp", meta{unix.S_IFDIR | 0o1777, 0, 0, 0}},
		{"private", meta{unix.S_IFDIR | 0o500, 0, 0, 0}},
		{"private/ro", meta{unix.S_IFREG | 0o400, 0, 0, 0}},
		{"abs", meta{unix.S_IFLNK | 0o777, 42, 43, 0}},
		{"tmp/rel", meta{unix.S_IFLNK | 0o777, 0, 0, 0}},
		{"dangling", meta{unix.S_IFLNK | 0o777, 0, 0, 0}},
		{"etc-link", meta{unix.S_IFLNK | 0o777, 0, 0, 0}},
		{"hard1", meta{unix.S_IFREG | 0o644, 0, 0, 0}},
		{"sub", meta{unix.S_IFDIR | 0o755, 0, 0, 0}},
		{"sub/deep", meta{unix.S_IFDIR | 0o755, 0, 0, 0}},
		{"sub/deep/plain", meta{unix.S_IFREG | 0o600, 0, 0, 0}},
		{"fifo", meta{unix.S_IFIFO | 0o620, 0, 0, 0}},
		{"null", meta{unix.S_IFCHR | 0o666, 0, 0, uint64(unix.Mkdev(1, 3))}},
	}
	stats := map[string]unix.Stat_t{}
	for _, tt := range tests {
		stats[tt.path] = lstat(t, filepath.Join(dst, tt.path))
	}
	for _, tt := range tests {
		st := stats[tt.path]
		got := meta{st.Mode, st.Uid, st.Gid, uint64(st.Rdev)}
		if got != tt.want {
			t.Errorf("%s: mode %#o owner %d:%d rdev %d; want mode %#o owner %d:%d rdev %d",
				tt.path, got.mode, got.uid, got.gid, got.rdev, tt.want.mode, tt.want.uid, tt.want.gid, tt.want.rdev)
		}
		atime, mtime := time.Unix(st.Atim.Unix()), time.Unix(st.Mtim.Unix())
		if !mtime.Equal(testMtime) || !atime.Equal(testAtime) {
			t.Errorf("%s: atime %v mtime %v; want %v and %v", tt.path, atime.UTC(), mtime.UTC(), testAtime, testMtime)
		}
	}

	for link, target := range map[string]string{
		"abs": "/etc/passwd", "tmp/rel": "../owned", "dangling": "/nonexistent/dangling", "etc-link": "/etc",
	} {
		if got, err := os.Readlink(filepath.Join(dst, link)); err != nil || got != target {
			t.Errorf("symlink %s -> %q, %v; want -> %q", link, got, err, target)
		}
	}

	h1, h2, h3 := stats["hard1"], lstat(t, filepath.Join(dst, "hard2")), lstat(t, filepath.Join(dst, "sub/deep/hard3"))
	if h1.Ino != h2.Ino || h1.Ino != h3.Ino || h1.Nlink != 3 {
		t.Errorf("hard links: inodes %d %d %d, nlink %d; want one inode with 3 links", h1.Ino, h2.Ino, h3.Ino, h1.Nlink)
	}
	if st := lstat(t, filepath.Join(dst, "owned")); st.Nlink != 1 {
		t.Errorf("owned: nlink %d, want 1", st.Nlink)
	}

	for file, want := range map[string]string{"owned": "owned by 1234:5678", "sub/deep/plain": "deep", "hard2": "linked", "private/ro": "read only"} {
		if got, err := os.ReadFile(filepath.Join(dst, file)); err != nil || string(got) != want {
			t.Errorf("%s: %q, %v; want %q", file, got, err, want)
		}
	}

	if xattrs {
		for path, want := range map[string]string{"owned": "kept", ".": "r"} {
			name := "user.berth"
			if path == "." {
				name = "user.root"
			}
			buf := make([]byte, 64)
			n, err := unix.Lgetxattr(filepath.Join(dst, path), name, buf)
			if err != nil || string(buf[:n]) != want {
				t.Errorf("%s: xattr %s = %q, %v; want %q", path, name, buf[:n], err, want)
			}
		}
	} else {
		t.Log("the test directory's file system refuses user xattrs: not checked")
	}
}

func TestCopyUpSkipsSockets(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(src, "file"), "x", 0o644)
	if err := unix.Mknod(filepath.Join(src, "sock"), unix.S_IFSOCK|0o600, 0); err != nil {
		t.Skipf("mknod socket: %v", err)
	}
	if err := CopyUp(src, dst); err != nil {
		t.Fatal(err)
	}
	if got := entries(t, dst); len(got) != 1 || got[0] != "file" {
		t.Errorf("copied %v, want [file]", got)
	}
}

func TestCopyUpWithoutSourceDirectory(t *testing.T) {
	base := t.TempDir()
	writeFile(t, filepath.Join(base, "file"), "x", 0o644)
	if err := os.Mkdir(filepath.Join(base, "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(base, "dir", "f"), "x", 0o644)
	if err := os.Symlink("dir", filepath.Join(base, "link-to-dir")); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{"missing", "file", "file/below", "link-to-dir"} {
		t.Run(src, func(t *testing.T) {
			dst := t.TempDir()
			if err := CopyUp(filepath.Join(base, src), dst); err != nil {
				t.Fatalf("CopyUp(%s) = %v, want nil", src, err)
			}
			if got := entries(t, dst); len(got) != 0 {
				t.Errorf("CopyUp(%s) copied %v, want nothing", src, got)
			}
		})
	}
}

func TestCopyUpRefusesConflicts(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(src, "f"), "image", 0o644)
	writeFile(t, filepath.Join(dst, "f"), "user", 0o644)
	err := CopyUp(src, dst)
	if !errors.Is(err, os.ErrExist) {
		t.Fatalf("CopyUp over an existing file = %v, want an error wrapping ErrExist", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dst, "f")); string(got) != "user" {
		t.Errorf("existing file now holds %q, want it untouched", got)
	}
}
