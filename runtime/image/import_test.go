package image

import (
	"archive/tar"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// checkTree asserts the content, owners, modes and times of the tree that
// both import tests produce.
func checkTree(t *testing.T, root string) {
	t.Helper()
	st := func(p string) *syscall.Stat_t {
		t.Helper()
		var s syscall.Stat_t
		if err := syscall.Lstat(filepath.Join(root, p), &s); err != nil {
			t.Fatalf("lstat /%s: %v", p, err)
		}
		return &s
	}
	if got := readString(t, filepath.Join(root, "etc/motd")); got != "hello\n" {
		t.Errorf("/etc/motd = %q", got)
	}
	motd := st("etc/motd")
	if motd.Uid != 1234 || motd.Gid != 5678 || motd.Mode&0o7777 != 0o4750 {
		t.Errorf("/etc/motd: uid %d gid %d mode %o, want 1234 5678 4750", motd.Uid, motd.Gid, motd.Mode&0o7777)
	}
	if mt := time.Unix(motd.Mtim.Unix()); !mt.Equal(testTime) {
		t.Errorf("/etc/motd mtime %v, want %v", mt, testTime)
	}
	if d := st("etc"); !time.Unix(d.Mtim.Unix()).Equal(testTime) || d.Mode&0o7777 != 0o750 {
		t.Errorf("/etc: mtime %v mode %o, want %v and 750 (set after its children)", time.Unix(d.Mtim.Unix()), d.Mode&0o7777, testTime)
	}
	if link, err := os.Readlink(filepath.Join(root, "etc/link")); err != nil || link != "/etc/motd" {
		t.Errorf("/etc/link -> %q (%v), want /etc/motd", link, err)
	}
	if hl := st("hard"); hl.Ino != motd.Ino {
		t.Errorf("/hard is not a hard link of /etc/motd")
	}
	if null := st("dev/null"); null.Mode&unix.S_IFMT != unix.S_IFCHR || null.Rdev != unix.Mkdev(1, 3) {
		t.Errorf("/dev/null: mode %o rdev %d, want the char device 1:3", null.Mode, null.Rdev)
	}
	if fifo := st("fifo"); fifo.Mode&unix.S_IFMT != unix.S_IFIFO {
		t.Errorf("/fifo: mode %o, want a FIFO", fifo.Mode)
	}
}

func TestImportRootfsFromTar(t *testing.T) {
	etc := dir("etc")
	etc.mode = 0o750
	motd := file("etc/motd", "hello\n")
	motd.uid, motd.gid, motd.mode = 1234, 5678, 0o4750
	motd.pax = map[string]string{"SCHILY.xattr.user.origin": "tar"}
	etc.pax = map[string]string{"SCHILY.xattr.user.origin": "tar-dir"}
	null := entry{name: "dev/null", typ: tar.TypeChar, mode: 0o666, major: 1, minor: 3}
	fifo := entry{name: "fifo", typ: tar.TypeFifo, mode: 0o600}
	archive := tarBytes(t, dir("./"), etc, motd, symlink("etc/link", "/etc/motd"), hardlink("hard", "etc/motd"), dir("dev"), null, fifo)

	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"root.tar", archive},
		{"root.tar.gz", gzipBytes(t, archive)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t)
			src := writeFile(t, filepath.Join(t.TempDir(), tt.name), tt.data)
			img, err := s.ImportRootfs(src, "imported:v1")
			if err != nil {
				t.Fatal(err)
			}
			checkTree(t, img.RootDir)
			for p, want := range map[string]string{"etc/motd": "tar", "etc": "tar-dir"} {
				buf := make([]byte, 64)
				n, err := unix.Lgetxattr(filepath.Join(img.RootDir, p), "user.origin", buf)
				if err != nil || string(buf[:n]) != want {
					t.Errorf("/%s xattr user.origin = %q (%v), want %q", p, buf[:max(n, 0)], err, want)
				}
			}
			if !slices.Equal(img.RepoTags, []string{"imported:v1"}) {
				t.Errorf("RepoTags = %q", img.RepoTags)
			}
			if !slices.Equal(img.Config.Env, []string{DefaultPath}) || img.Config.Cmd != nil {
				t.Errorf("Config = %+v, want Docker's PATH and no Cmd", img.Config)
			}
			if img.Size != int64(len("hello\n")) {
				t.Errorf("Size = %d, want %d", img.Size, len("hello\n"))
			}
			got, err := s.Get("imported:v1")
			if err != nil || got.ID != img.ID {
				t.Errorf("Get(imported:v1) = %v, %v", got, err)
			}
		})
	}
}

func TestImportRootfsFromDir(t *testing.T) {
	src := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	motd := writeFile(t, filepath.Join(src, "etc/motd"), []byte("hello\n"))
	must(os.Chown(motd, 1234, 5678))
	must(os.Chmod(motd, 0o4750|os.ModeSetuid))
	must(os.Symlink("/etc/motd", filepath.Join(src, "etc/link")))
	must(os.Link(motd, filepath.Join(src, "hard")))
	must(os.Mkdir(filepath.Join(src, "dev"), 0o755))
	must(unix.Mknod(filepath.Join(src, "dev/null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))))
	must(unix.Mkfifo(filepath.Join(src, "fifo"), 0o600))
	must(os.Chmod(filepath.Join(src, "etc"), 0o750))
	must(os.Chmod(src, 0o700)) // as os.MkdirTemp and host.tempdir make it
	for _, p := range []string{"etc/motd", "etc"} {
		must(os.Chtimes(filepath.Join(src, p), testTime, testTime))
	}

	s := openStore(t)
	img, err := s.ImportRootfs(src, "fromdir")
	if err != nil {
		t.Fatal(err)
	}
	checkTree(t, img.RootDir)
	// src is 0700, as temporary directories are: the image's root must not
	// inherit that, or a non-root user of the image cannot reach /bin.
	if fi, err := os.Stat(img.RootDir); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("root directory: %v, %v; want 0755", fi.Mode(), err)
	}
	if !slices.Equal(img.RepoTags, []string{"fromdir:latest"}) {
		t.Errorf("RepoTags = %q", img.RepoTags)
	}
}

func TestImportRootfsBadInput(t *testing.T) {
	s := openStore(t)
	if _, err := s.ImportRootfs(t.TempDir(), "Bad"); err == nil || !strings.Contains(err.Error(), "lowercase") {
		t.Errorf("bad reference: %v", err)
	}
	if _, err := s.ImportRootfs("/nonexistent", "x"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing source: %v", err)
	}
	if _, err := s.ImportRootfs("/dev/null", "x"); err == nil || !strings.Contains(err.Error(), "want a directory or a tar archive") {
		t.Errorf("device as source: %v", err)
	}
	// zstd is read (image layers use it); a truncated stream is named.
	zst := writeFile(t, filepath.Join(t.TempDir(), "r.tar.zst"), []byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0})
	if _, err := s.ImportRootfs(zst, "x"); err == nil || !strings.Contains(err.Error(), "read zstd") {
		t.Errorf("truncated zstd source: %v", err)
	}
	if n := imageDirs(t, s); n != 0 {
		t.Errorf("%d image directories after failed imports", n)
	}
}

// Hostile archives are refused, write nothing outside the root filesystem
// and leave nothing in the store.
func TestImportRootfsRefusesEscapes(t *testing.T) {
	outside := t.TempDir() // stands for the host's /etc
	rel := func(p string) string {
		// ../ enough times to climb from any rootfs to /, then down to p.
		return strings.Repeat("../", 20) + strings.TrimPrefix(p, "/")
	}
	tests := []struct {
		name    string
		entries []entry
		want    string
	}{
		{"dot-dot", []entry{file("../x", "pwned")}, `refusing tar entry "../x": path escapes the root filesystem`},
		{"dot-dot inside", []entry{file("a/../../x", "pwned")}, `refusing tar entry "a/../../x"`},
		{"absolute", []entry{file(outside+"/x", "pwned")}, `refusing tar entry "` + outside + `/x"`},
		{"absolute symlink then file", []entry{symlink("a", outside), file("a/x", "pwned")},
			`refusing tar entry "a/x": path escapes the root filesystem`},
		{"relative symlink then file", []entry{symlink("a", rel(outside)), file("a/x", "pwned")},
			`refusing tar entry "a/x"`},
		{"symlink chain then file", []entry{dir("d"), symlink("d/b", rel(outside)), symlink("a", "d/b"), file("a/x", "pwned")},
			`refusing tar entry "a/x"`},
		{"symlink then dir", []entry{symlink("a", outside), dir("a/x")}, `refusing tar entry "a/x"`},
		{"hard link escape", []entry{hardlink("x", rel(outside+"/secret"))}, "escapes the root filesystem"},
		{"hard link through symlink", []entry{symlink("a", outside), hardlink("x", "a/secret")}, "escapes the root filesystem"},
	}
	secret := writeFile(t, filepath.Join(outside, "secret"), []byte("keep"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t)
			src := writeFile(t, filepath.Join(t.TempDir(), "evil.tar"), tarBytes(t, tt.entries...))
			_, err := s.ImportRootfs(src, "evil")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("import error %v, want one containing %q", err, tt.want)
			}
			t.Logf("refused: %v", err)
			mustNotExist(t, filepath.Join(outside, "x"))
			if got := readString(t, secret); got != "keep" {
				t.Errorf("file outside changed to %q", got)
			}
			var st syscall.Stat_t
			if err := syscall.Stat(secret, &st); err != nil || st.Nlink != 1 {
				t.Errorf("file outside got a hard link (nlink %d, err %v)", st.Nlink, err)
			}
			if names := storeEntries(t, s); len(names) != 0 {
				t.Errorf("store holds %q after a refused import, want nothing", names)
			}
			if _, err := s.Get("evil"); !errors.Is(err, ErrNotFound) {
				t.Errorf("Get(evil) after a refused import: %v", err)
			}
		})
	}
}

// A symlink that stays inside the root may be written through, and an
// absolute symlink is stored as it is (the container resolves it).
func TestImportRootfsInsideSymlinks(t *testing.T) {
	s := openStore(t)
	src := writeFile(t, filepath.Join(t.TempDir(), "ok.tar"), tarBytes(t,
		dir("usr"), dir("usr/lib"), symlink("lib", "usr/lib"), file("lib/libc.so", "elf"),
		symlink("etc-mtab", "/proc/mounts"),
		file("a", "first"), symlink("a", "/etc/passwd"), // a later entry replaces, never follows
	))
	img, err := s.ImportRootfs(src, "ok")
	if err != nil {
		t.Fatal(err)
	}
	if got := readString(t, filepath.Join(img.RootDir, "usr/lib/libc.so")); got != "elf" {
		t.Errorf("usr/lib/libc.so = %q", got)
	}
	if link, _ := os.Readlink(filepath.Join(img.RootDir, "a")); link != "/etc/passwd" {
		t.Errorf("a -> %q, want the replacing symlink", link)
	}
}
