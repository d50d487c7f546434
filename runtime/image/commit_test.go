package image

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"golang.org/x/sys/unix"
)

// tarEntries reads a tar into name -> header (and body for files).
func tarEntries(t *testing.T, data []byte) (map[string]*tar.Header, map[string]string) {
	t.Helper()
	hdrs, bodies := map[string]*tar.Header{}, map[string]string{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return hdrs, bodies
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		hdrs[hdr.Name], bodies[hdr.Name] = hdr, string(body)
	}
}

// TestUpperTar packs an upper directory as overlayfs leaves it: a
// whiteout, an opaque directory, hard links, owners, modes, xattrs and a
// symlink to a host directory that must be packed as a link, not followed.
func TestUpperTar(t *testing.T) {
	upper, outside := t.TempDir(), t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(outside, "secret"), []byte("host secret"))
	must(unix.Mknod(filepath.Join(upper, "gone"), unix.S_IFCHR, 0))
	must(os.MkdirAll(filepath.Join(upper, "opq/sub"), 0o750))
	must(unix.Setxattr(filepath.Join(upper, "opq"), opaqueXattr, []byte("y"), 0))
	writeFile(t, filepath.Join(upper, "opq/sub/a"), []byte("linked"))
	must(os.Link(filepath.Join(upper, "opq/sub/a"), filepath.Join(upper, "b")))
	must(os.Chown(filepath.Join(upper, "b"), 1000, 1001))
	must(os.Chmod(filepath.Join(upper, "b"), 0o640))
	xattr := unix.Setxattr(filepath.Join(upper, "b"), "user.berth", []byte("v"), 0) == nil
	must(os.Symlink(outside, filepath.Join(upper, "escape")))

	var buf bytes.Buffer
	must(writeUpperTar(upper, &buf))
	hdrs, bodies := tarEntries(t, buf.Bytes())
	var names []string
	for n := range hdrs {
		names = append(names, n)
	}
	slices.Sort(names)
	want := []string{"./", ".wh.gone", "b", "escape", "opq/", "opq/.wh..wh..opq", "opq/sub/", "opq/sub/a"}
	if !slices.Equal(names, want) {
		t.Fatalf("entries = %q, want %q", names, want)
	}
	if h := hdrs["escape"]; h.Typeflag != tar.TypeSymlink || h.Linkname != outside {
		t.Errorf("escape = %c -> %q, want a symlink to %q", h.Typeflag, h.Linkname, outside)
	}
	if b := hdrs["b"]; b.Typeflag != tar.TypeReg || bodies["b"] != "linked" || b.Uid != 1000 || b.Gid != 1001 || b.Mode != 0o640 {
		t.Errorf("b = type %c %q uid %d gid %d mode %o", b.Typeflag, bodies["b"], b.Uid, b.Gid, b.Mode)
	}
	if xattr && hdrs["b"].PAXRecords[xattrPAXPrefix+"user.berth"] != "v" {
		t.Errorf("b's xattrs = %v, want user.berth=v", hdrs["b"].PAXRecords)
	}
	if a := hdrs["opq/sub/a"]; a.Typeflag != tar.TypeLink || a.Linkname != "b" {
		t.Errorf("opq/sub/a = type %c -> %q, want a hard link to b", a.Typeflag, a.Linkname)
	}
	if d := hdrs["opq/sub/"]; d.Mode != 0o750 {
		t.Errorf("opq/sub/ mode = %o, want 750", d.Mode)
	}
	for n, h := range hdrs {
		if _, ok := h.PAXRecords[xattrPAXPrefix+opaqueXattr]; ok {
			t.Errorf("%s carries overlayfs' own xattr", n)
		}
	}
}

// TestCommitContainerLayer commits the changes made through a mounted
// container root on busybox and mounts the new image: added, changed and
// deleted files are as the container left them, the base layer is shared.
func TestCommitContainerLayer(t *testing.T) {
	s := openStore(t)
	base := mustGet(t, s, "busybox")
	img := commitChanges(t, s, base)
	if img.RepoTags[0] != "berth-test/committed:latest" || img.Config.WorkingDir != "/srv" || !slices.Equal(img.Config.Env, []string{"A=1"}) {
		t.Errorf("image = %v %+v", img.RepoTags, img.Config)
	}
	if len(img.Layers) != len(base.Layers)+1 || !slices.Equal(img.Layers[:len(base.Layers)], base.Layers) {
		t.Errorf("layers = %q, want busybox's %q plus one", img.Layers, base.Layers)
	}
	checkCommitted(t, img)
}

// commitChanges commits a container of base with files added, deleted,
// hard-linked and a directory replaced (opaque).
func commitChanges(t *testing.T, s *Store, base *Image) *Image {
	t.Helper()
	dir := t.TempDir()
	root, err := MountRootfs(base, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { UnmountRootfs(dir) })
	writeFile(t, filepath.Join(root, "added"), []byte("new file"))
	if err := os.Remove(filepath.Join(root, "etc/passwd")); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(root, "bin")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "bin/only"), []byte("only"))
	if err := os.Link(filepath.Join(root, "added"), filepath.Join(root, "etc/added-link")); err != nil {
		t.Fatal(err)
	}
	img, err := s.Commit(CommitSpec{Base: base, ContainerDir: dir, Tag: "berth-test/committed",
		Config: Config{Env: []string{"A=1"}, Cmd: []string{"sh"}, WorkingDir: "/srv"}})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// checkCommitted checks commitChanges' image's files.
func checkCommitted(t *testing.T, img *Image) {
	t.Helper()
	r := mountImage(t, img)
	for p, content := range map[string]string{"added": "new file", "etc/added-link": "new file", "bin/only": "only"} {
		if got := readString(t, filepath.Join(r, p)); got != content {
			t.Errorf("/%s = %q, want %q", p, got, content)
		}
	}
	for _, p := range []string{"etc/passwd", "bin/sh", "bin/busybox"} {
		mustNotExist(t, filepath.Join(r, p))
	}
	var a, b unix.Stat_t
	if unix.Stat(filepath.Join(r, "added"), &a) != nil || unix.Stat(filepath.Join(r, "etc/added-link"), &b) != nil || a.Ino != b.Ino {
		t.Errorf("the hard link is not kept: inodes %d and %d", a.Ino, b.Ino)
	}
}

// TestSaveLoadRoundTrip saves a committed image and busybox in one archive
// that go-containerregistry validates as docker load would read it, and
// loads it into a fresh store: the same files, config, tags and, for
// layers berth packed itself, the same ids.
func TestSaveLoadRoundTrip(t *testing.T) {
	s := openStore(t)
	base := mustGet(t, s, "busybox")
	img := commitChanges(t, s, base)
	archive := filepath.Join(t.TempDir(), "saved.tar")
	f, err := os.Create(archive)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save([]string{"berth-test/committed", "busybox", img.ID}, f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	tag, _ := name.NewTag("berth-test/committed:latest")
	saved, err := tarball.ImageFromPath(archive, &tag)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(saved); err != nil {
		t.Fatalf("the saved image is not valid: %v", err)
	}
	s2 := openStore(t)
	loaded, err := s2.Load(archive)
	if err != nil {
		t.Fatal(err)
	}
	var tags []string
	for _, l := range loaded {
		tags = append(tags, l.RepoTags...)
	}
	slices.Sort(tags)
	if want := []string{"berth-test/committed:latest", "busybox:latest"}; !slices.Equal(tags, want) {
		t.Errorf("loaded tags = %q, want %q", tags, want)
	}
	back := mustGet(t, s2, "berth-test/committed")
	if back.ID != img.ID || back.Config.WorkingDir != "/srv" || len(back.Layers) != len(img.Layers) {
		t.Errorf("loaded back %s %+v with %d layers, want %s %+v with %d", back.ID, back.Config, len(back.Layers), img.ID, img.Config, len(img.Layers))
	}
	checkCommitted(t, back)
	if bb := mustGet(t, s2, "busybox"); bb.ID != base.ID {
		t.Errorf("busybox loaded back as %s, want %s", bb.ID, base.ID)
	}
	if err := s.Save([]string{"nosuch"}, io.Discard); err == nil || !strings.Contains(err.Error(), "No such image: nosuch") {
		t.Errorf("save of a missing image: %v", err)
	}
}

// A FIFO or device node swapped in where a regular file was is never
// opened for reading on the host (a FIFO would block, a device act).
func TestOpenRegularRefusesSwappedFiles(t *testing.T) {
	dir := t.TempDir()
	if err := unix.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mknod(filepath.Join(dir, "null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/hostname", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	d, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(d)
	for _, name := range []string{"fifo", "null", "link"} {
		if f, _, err := openRegular(d, name); err == nil {
			f.Close()
			t.Errorf("openRegular(%s) opened it", name)
		}
	}
}

// A flat image (imported) has no layers to commit on: a clear error, and
// nothing left in the store.
func TestCommitOnAFlatImageFails(t *testing.T) {
	s := openStore(t)
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "etc/motd"), []byte("hi"))
	flat, err := s.ImportRootfs(src, "berth-test/flat")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := MountRootfs(flat, dir, false); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { UnmountRootfs(dir) })
	before := storeEntries(t, s)
	_, err = s.Commit(CommitSpec{Base: flat, ContainerDir: dir, Tag: "berth-test/on-flat"})
	if err == nil || !strings.Contains(err.Error(), "flat root filesystem") {
		t.Errorf("commit on a flat image: %v, want an error saying it is flat", err)
	}
	if after := storeEntries(t, s); !slices.Equal(before, after) {
		t.Errorf("store entries %q after the failed commit, want %q", after, before)
	}
}

// A commit that fails half-way (a device node in the container's layer)
// names the file and leaves no layer, image or work directory behind.
func TestFailedCommitLeavesNothing(t *testing.T) {
	s := openStore(t)
	base := mustGet(t, s, "busybox")
	dir := t.TempDir()
	root, err := MountRootfs(base, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { UnmountRootfs(dir) })
	writeFile(t, filepath.Join(root, "a-file"), []byte("x"))
	if err := unix.Mknod(filepath.Join(root, "zz-null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
		t.Fatal(err)
	}
	before := storeEntries(t, s)
	layers, _ := s.LayerCount()
	_, err = s.Commit(CommitSpec{Base: base, ContainerDir: dir, Tag: "berth-test/device"})
	if err == nil || !strings.Contains(err.Error(), "/zz-null: device nodes are not allowed") {
		t.Errorf("commit with a device node: %v", err)
	}
	if after := storeEntries(t, s); !slices.Equal(before, after) {
		t.Errorf("store entries %q after the failed commit, want %q", after, before)
	}
	if n, _ := s.LayerCount(); n != layers {
		t.Errorf("%d layers after the failed commit, want %d", n, layers)
	}
}
