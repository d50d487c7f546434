package image

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"
	"golang.org/x/sys/unix"
)

const (
	whiteoutPrefix = ".wh."
	whiteoutOpaque = ".wh..wh..opq"
	whiteoutMeta   = ".wh..wh."
	xattrPAXPrefix = "SCHILY.xattr."
	maxSymlinkHops = 40
)

// extractor writes archive entries into a root directory. Every path is
// resolved through an os.Root, which follows only symlinks that stay inside
// the root, and the last component is handled with *at system calls on the
// parent's descriptor, never followed. An entry that would reach outside the
// root is refused.
type extractor struct {
	root      *os.Root
	whiteouts bool // apply layer whiteouts (.wh.*) instead of writing them
	overlay   bool // write a layer for overlayfs (whiteouts as overlayfs reads them): layers.go

	size    int64           // bytes of regular file content written
	written map[string]bool // paths this layer created (kept by an opaque whiteout)
	dirs    []dirTimes      // set last: creating children changes a dir's mtime
}

type dirTimes struct {
	name         string
	atime, mtime time.Time
}

func newExtractor(root *os.Root, whiteouts bool) *extractor {
	return &extractor{root: root, whiteouts: whiteouts, written: map[string]bool{}}
}

// applyTar extracts one tar stream (plain, gzip or bzip2) as one layer.
func (x *extractor) applyTar(r io.Reader) error {
	stream, err := decompress(r)
	if err != nil {
		return err
	}
	defer stream.Close()
	tr := tar.NewReader(stream)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read tar: %w", err)
		}
		if err := x.applyEntry(hdr, tr); err != nil {
			return err
		}
	}
	return x.endLayer()
}

// endLayer sets the deferred directory times and starts a new layer.
func (x *extractor) endLayer() error {
	for i := len(x.dirs) - 1; i >= 0; i-- {
		d := x.dirs[i]
		if err := x.onParent(d.name, d.name, func(fd int, base string) error {
			return setTimes(fd, base, d.atime, d.mtime)
		}); err != nil {
			return err
		}
	}
	x.dirs = x.dirs[:0]
	clear(x.written)
	return nil
}

// decompress recognises gzip and bzip2 by their magic numbers; anything
// else is read as a plain tar.
func decompress(r io.Reader) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(6)
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("read gzip: %w", err)
		}
		return zr, nil
	case bytes.HasPrefix(magic, []byte("BZh")):
		return io.NopCloser(bzip2.NewReader(br)), nil
	case bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("read zstd: %w", err)
		}
		return zstdStream{zr}, nil
	case bytes.HasPrefix(magic, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		return nil, errors.New("xz-compressed archives are not supported: use a plain or gzip tar")
	}
	return io.NopCloser(br), nil
}

// cleanEntryPath returns the entry's path relative to the root ("." for the
// root itself), or an error when it is absolute or climbs out with "..".
func cleanEntryPath(name string) (string, bool) {
	if name == "" || path.IsAbs(name) {
		return "", false
	}
	p := path.Clean(name)
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", false
	}
	return p, true
}

// errEscape marks an entry refused because it would reach outside the root.
var errEscape = errors.New("escapes the root filesystem")

func refuse(entry string) error {
	return fmt.Errorf("refusing tar entry %q: path %w", entry, errEscape)
}

// applyEntry writes one archive entry; body is its content for regular files.
func (x *extractor) applyEntry(hdr *tar.Header, body io.Reader) error {
	name, ok := cleanEntryPath(hdr.Name)
	if !ok {
		return refuse(hdr.Name)
	}
	switch hdr.Typeflag {
	case tar.TypeXGlobalHeader, tar.TypeXHeader, tar.TypeGNULongName, tar.TypeGNULongLink:
		return nil // metadata the tar reader has already folded in
	}
	if x.whiteouts {
		if done, err := x.applyWhiteout(hdr.Name, name); done || err != nil {
			return err
		}
	}
	if x.overlay {
		if done, err := x.overlayEntry(hdr, name); done || err != nil {
			return err
		}
	}
	if name == "." {
		if hdr.Typeflag != tar.TypeDir {
			return fmt.Errorf("tar entry %q: the root must be a directory", hdr.Name)
		}
		return x.setRootMeta(hdr)
	}
	if hdr.Typeflag == tar.TypeLink && path.Clean(hdr.Linkname) == name {
		return nil // a hard link to itself: already there
	}
	x.markWritten(name)
	return x.onParent(hdr.Name, name, func(fd int, base string) error {
		err := x.create(fd, base, name, hdr, body)
		if errors.Is(err, errEscape) {
			return fmt.Errorf("refusing tar entry %q: %w", hdr.Name, err)
		}
		if err != nil {
			return fmt.Errorf("tar entry %q: %w", hdr.Name, err)
		}
		return nil
	})
}

// onParent resolves the parent of name inside the root (creating missing
// directories) and calls fn with its descriptor and the last component.
// entry is the tar entry to name in errors.
func (x *extractor) onParent(entry, name string, fn func(fd int, base string) error) error {
	dir, base := path.Split(name)
	dir = path.Clean(dir) // "" -> "."
	if dir != "." {
		if err := x.root.MkdirAll(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return x.resolveError(entry, name, err)
		}
	}
	parent, err := x.root.Open(dir)
	if err != nil {
		return x.resolveError(entry, name, err)
	}
	defer parent.Close()
	return fn(int(parent.Fd()), base)
}

// resolveError explains a failure to resolve p for the tar entry named
// entry; when a symlink leads out of the root, it says so plainly.
func (x *extractor) resolveError(entry, p string, err error) error {
	if x.escapesThroughSymlink(path.Dir(p)) {
		return refuse(entry)
	}
	return fmt.Errorf("tar entry %q: %w", entry, err)
}

// escapesThroughSymlink reports whether resolving the relative path p passes
// through a symlink that is absolute or leads above the root. It is only used
// to explain an error os.Root has already raised.
func (x *extractor) escapesThroughSymlink(p string) bool {
	resolved := "."
	rest := strings.Split(p, "/")
	for hops := 0; len(rest) > 0; {
		next := path.Join(resolved, rest[0])
		rest = rest[1:]
		fi, err := x.root.Lstat(next)
		if err != nil {
			return false
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		if hops++; hops > maxSymlinkHops {
			return false
		}
		target, err := x.root.Readlink(next)
		if err != nil {
			return false
		}
		if path.IsAbs(target) {
			return true
		}
		t := path.Join(resolved, target)
		if t == ".." || strings.HasPrefix(t, "../") {
			return true
		}
		rest = append(strings.Split(t, "/"), rest...)
		resolved = "."
	}
	return false
}

// markWritten records name and its parents as created by this layer.
func (x *extractor) markWritten(name string) {
	for p := name; p != "." && !x.written[p]; p = path.Dir(p) {
		x.written[p] = true
	}
}

// applyWhiteout handles the AUFS-style whiteouts of image layers: ".wh.NAME"
// deletes NAME from the layers below, ".wh..wh..opq" hides everything the
// layers below put in its directory.
func (x *extractor) applyWhiteout(entry, name string) (bool, error) {
	dir, base := path.Split(name)
	dir = path.Clean(dir)
	if base == whiteoutOpaque {
		if err := x.removeLower(entry, dir); err != nil {
			return true, err
		}
		return true, nil
	}
	if strings.Contains(name, whiteoutMeta) {
		return true, nil // AUFS bookkeeping (.wh..wh.plnk, ...), not content
	}
	if !strings.HasPrefix(base, whiteoutPrefix) {
		return false, nil
	}
	hidden := strings.TrimPrefix(base, whiteoutPrefix)
	if hidden == "" || hidden == "." || hidden == ".." {
		return true, fmt.Errorf("whiteout %q: names no file", entry)
	}
	victim := path.Join(dir, hidden)
	if err := x.root.RemoveAll(victim); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return true, x.resolveError(entry, victim, err)
	}
	return true, nil
}

// removeLower deletes what lower layers left under dir, keeping what the
// current layer wrote.
func (x *extractor) removeLower(entry, dir string) error {
	f, err := x.root.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return x.resolveError(entry, path.Join(dir, whiteoutOpaque), err)
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return fmt.Errorf("tar entry %q: %w", entry, err)
	}
	for _, e := range entries {
		p := path.Join(dir, e.Name())
		switch {
		case !x.written[p]:
			if err := x.root.RemoveAll(p); err != nil {
				return fmt.Errorf("tar entry %q: %w", entry, err)
			}
		case e.IsDir():
			if err := x.removeLower(entry, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// create makes base in the directory fd according to hdr.
func (x *extractor) create(fd int, base, name string, hdr *tar.Header, body io.Reader) error {
	if err := x.clearPlace(fd, base, name, hdr.Typeflag == tar.TypeDir); err != nil {
		return err
	}
	mode := uint32(hdr.Mode) & 0o7777
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeGNUSparse: // the reader turns the old TypeRegA into TypeReg
		return x.createFile(fd, base, hdr, body, mode)
	case tar.TypeDir:
		if err := unix.Mkdirat(fd, base, 0o700); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("mkdir: %w", err)
		}
		if err := setOwnerMode(fd, base, hdr, mode); err != nil {
			return err
		}
		x.dirs = append(x.dirs, dirTimes{name, hdr.AccessTime, hdr.ModTime})
		return nil
	case tar.TypeSymlink:
		if err := unix.Symlinkat(hdr.Linkname, fd, base); err != nil {
			return fmt.Errorf("symlink: %w", err)
		}
		if err := unix.Fchownat(fd, base, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return fmt.Errorf("chown: %w", err)
		}
		return setTimes(fd, base, hdr.AccessTime, hdr.ModTime)
	case tar.TypeLink:
		return x.createLink(fd, base, hdr)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		kind := map[byte]uint32{tar.TypeChar: unix.S_IFCHR, tar.TypeBlock: unix.S_IFBLK, tar.TypeFifo: unix.S_IFIFO}[hdr.Typeflag]
		dev := unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))
		if err := unix.Mknodat(fd, base, kind|mode, int(dev)); err != nil {
			return fmt.Errorf("mknod: %w", err)
		}
		if err := setOwnerMode(fd, base, hdr, mode); err != nil {
			return err
		}
		return setTimes(fd, base, hdr.AccessTime, hdr.ModTime)
	}
	return fmt.Errorf("unsupported tar entry type %q", hdr.Typeflag)
}

// clearPlace removes whatever is at base, except a directory that a
// directory entry will update in place (the rule Docker applies to layers).
func (x *extractor) clearPlace(fd int, base, name string, wantDir bool) error {
	var st unix.Stat_t
	err := unix.Fstatat(fd, base, &st, unix.AT_SYMLINK_NOFOLLOW)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("stat: %w", err)
	}
	isDir := st.Mode&unix.S_IFMT == unix.S_IFDIR
	switch {
	case isDir && wantDir:
		return nil
	case isDir:
		return x.root.RemoveAll(name)
	}
	if err := unix.Unlinkat(fd, base, 0); err != nil {
		return fmt.Errorf("replace: %w", err)
	}
	return nil
}

func (x *extractor) createFile(fd int, base string, hdr *tar.Header, body io.Reader, mode uint32) error {
	nfd, err := unix.Openat(fd, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	f := os.NewFile(uintptr(nfd), base)
	n, err := io.Copy(f, body)
	x.size += n
	if err == nil {
		err = f.Chown(hdr.Uid, hdr.Gid) // before chmod: chown clears set-id bits
	}
	if err == nil {
		err = unix.Fchmod(nfd, mode)
	}
	if err == nil {
		err = setXattrs(hdr, func(attr string, value []byte) error { return unix.Fsetxattr(nfd, attr, value, 0) })
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write file: %w", err)
	}
	return setTimes(fd, base, hdr.AccessTime, hdr.ModTime)
}

func (x *extractor) createLink(fd int, base string, hdr *tar.Header) error {
	target, ok := cleanEntryPath(hdr.Linkname)
	if !ok || target == "." {
		return fmt.Errorf("hard link target %q %w", hdr.Linkname, errEscape)
	}
	err := x.onParent(hdr.Linkname, target, func(tfd int, tbase string) error {
		// flags 0: a symlink target is linked itself, never followed.
		return unix.Linkat(tfd, tbase, fd, base, 0)
	})
	if err != nil {
		if x.escapesThroughSymlink(path.Dir(target)) {
			return fmt.Errorf("hard link target %q %w", hdr.Linkname, errEscape)
		}
		return fmt.Errorf("hard link to %q: %w", hdr.Linkname, err)
	}
	return nil
}

// setRootMeta applies a "./" entry to the root directory itself.
func (x *extractor) setRootMeta(hdr *tar.Header) error {
	f, err := x.root.Open(".")
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Chown(hdr.Uid, hdr.Gid); err != nil {
		return fmt.Errorf("tar entry %q: %w", hdr.Name, err)
	}
	if err := unix.Fchmod(int(f.Fd()), uint32(hdr.Mode)&0o7777); err != nil {
		return fmt.Errorf("tar entry %q: %w", hdr.Name, err)
	}
	x.dirs = append(x.dirs, dirTimes{".", hdr.AccessTime, hdr.ModTime})
	return nil
}

// setOwnerMode sets owner, mode and extended attributes of a directory or
// device just created (not a symlink, so following is harmless).
func setOwnerMode(fd int, base string, hdr *tar.Header, mode uint32) error {
	if err := unix.Fchownat(fd, base, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("chown: %w", err)
	}
	if err := unix.Fchmodat(fd, base, mode, 0); err != nil {
		return fmt.Errorf("chmod: %w", err)
	}
	// No lsetxattrat: reach base through the parent's descriptor; base
	// itself is not a symlink.
	p := fmt.Sprintf("/proc/self/fd/%d/%s", fd, base)
	return setXattrs(hdr, func(attr string, value []byte) error { return unix.Lsetxattr(p, attr, value, 0) })
}

// setXattrs applies the extended attributes a PAX header carries
// (security.capability, user.*, ...); a filesystem without xattrs is fine.
func setXattrs(hdr *tar.Header, set func(attr string, value []byte) error) error {
	for k, v := range hdr.PAXRecords {
		attr, ok := strings.CutPrefix(k, xattrPAXPrefix)
		if !ok {
			continue
		}
		if err := set(attr, []byte(v)); err != nil && !errors.Is(err, unix.ENOTSUP) {
			return fmt.Errorf("set xattr %s: %w", attr, err)
		}
	}
	return nil
}

// setTimes sets atime and mtime without following a symlink. A zero atime
// (most tars carry none) takes the mtime, as tar(1) does.
func setTimes(fd int, base string, atime, mtime time.Time) error {
	if mtime.IsZero() {
		return nil
	}
	if atime.IsZero() {
		atime = mtime
	}
	ts := []unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	if err := unix.UtimesNanoAt(fd, base, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("set times of %s: %w", strconv.Quote(base), err)
	}
	return nil
}
