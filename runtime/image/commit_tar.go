package image

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// upperTar packs a container's overlay upper directory into a layer tar as
// docker commit does: whiteouts (0/0 character devices) become ".wh.NAME"
// entries, opaque directories get a ".wh..wh..opq" entry, and owners,
// modes, times, xattrs and hard links are kept. The directory belongs to
// the container, so it is read only through directory descriptors, one
// name at a time, never following a symlink.
type upperTar struct {
	tw    *tar.Writer
	links map[uint64]string // inode -> first name, for files with several links
	dev   uint64            // the upper directory's filesystem: nothing mounted over is packed
}

// writeUpperTar writes the layer tar of the upper directory upper to w.
func writeUpperTar(upper string, w io.Writer) error {
	fd, err := unix.Open(upper, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open container layer %q: %w", upper, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("stat container layer %q: %w", upper, err)
	}
	u := &upperTar{tw: tar.NewWriter(w), links: map[uint64]string{}, dev: st.Dev}
	// "./" carries the root's owner and mode, which the merged root takes
	// from the upper directory.
	if err := u.tw.WriteHeader(u.header("./", tar.TypeDir, &st)); err != nil {
		return err
	}
	if err := u.walk(fd, ""); err != nil {
		return err
	}
	return u.tw.Close()
}

// walk packs the entries of the directory dirfd, named prefix in the tar
// ("" for the root, else ending in "/").
func (u *upperTar) walk(dirfd int, prefix string) error {
	names, err := readDirNames(dirfd)
	if err != nil {
		return fmt.Errorf("read %q: %w", "/"+prefix, err)
	}
	for _, name := range names {
		if err := u.entry(dirfd, prefix, name); err != nil {
			return err
		}
	}
	return nil
}

func readDirNames(dirfd int) ([]string, error) {
	fd, err := unix.Openat(dirfd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), ".")
	defer f.Close()
	names, err := f.Readdirnames(-1)
	slices.Sort(names)
	return names, err
}

func (u *upperTar) entry(dirfd int, prefix, name string) error {
	rel := prefix + name
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("stat %q: %w", "/"+rel, err)
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFCHR:
		if st.Rdev != 0 {
			return fmt.Errorf("commit /%s: device nodes are not allowed in an image layer", rel)
		}
		wh := &tar.Header{Name: prefix + whiteoutPrefix + name, Typeflag: tar.TypeReg, ModTime: markerTime, Format: tar.FormatPAX}
		return u.tw.WriteHeader(wh)
	case unix.S_IFBLK:
		return fmt.Errorf("commit /%s: device nodes are not allowed in an image layer", rel)
	case unix.S_IFSOCK:
		return nil // as docker commit: a socket is no content
	case unix.S_IFDIR:
		return u.dir(dirfd, prefix, name)
	case unix.S_IFREG:
		return u.file(dirfd, rel, name)
	case unix.S_IFLNK:
		target, err := readlinkat(dirfd, name)
		if err != nil {
			return fmt.Errorf("readlink %q: %w", "/"+rel, err)
		}
		hdr := u.header(rel, tar.TypeSymlink, &st)
		hdr.Linkname = target
		return u.tw.WriteHeader(hdr)
	case unix.S_IFIFO:
		hdr := u.header(rel, tar.TypeFifo, &st)
		if err := u.addXattrs(hdr, fmt.Sprintf("/proc/self/fd/%d/%s", dirfd, name), -1); err != nil {
			return fmt.Errorf("commit /%s: %w", rel, err)
		}
		return u.tw.WriteHeader(hdr)
	}
	return fmt.Errorf("commit /%s: unknown file type %#o", rel, st.Mode&unix.S_IFMT)
}

// dir packs a directory and, below it, its contents; the directory is
// opened without following a symlink swapped in since the stat.
func (u *upperTar) dir(dirfd int, prefix, name string) error {
	rel := prefix + name
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %q: %w", "/"+rel, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("stat %q: %w", "/"+rel, err)
	}
	if st.Dev != u.dev {
		return fmt.Errorf("commit /%s: another filesystem is mounted there", rel)
	}
	if _, err := fgetxattr(fd, "trusted.overlay.redirect"); err == nil {
		return fmt.Errorf("commit /%s: a directory renamed within the overlay (redirect_dir) cannot be packed as a layer", rel)
	}
	hdr := u.header(rel+"/", tar.TypeDir, &st)
	if err := u.addXattrs(hdr, "", fd); err != nil {
		return fmt.Errorf("commit /%s: %w", rel, err)
	}
	if err := u.tw.WriteHeader(hdr); err != nil {
		return err
	}
	if v, err := fgetxattr(fd, opaqueXattr); err == nil && string(v) == "y" {
		opq := &tar.Header{Name: rel + "/" + whiteoutOpaque, Typeflag: tar.TypeReg, ModTime: markerTime, Format: tar.FormatPAX}
		if err := u.tw.WriteHeader(opq); err != nil {
			return err
		}
	}
	return u.walk(fd, rel+"/")
}

// file packs a regular file, or a hard link to one packed before.
func (u *upperTar) file(dirfd int, rel, name string) error {
	f, st, err := openRegular(dirfd, name)
	if err != nil {
		return fmt.Errorf("commit /%s: %w", rel, err)
	}
	defer f.Close()
	fd := int(f.Fd())
	if st.Nlink > 1 {
		if first, ok := u.links[st.Ino]; ok {
			hdr := u.header(rel, tar.TypeLink, st)
			hdr.Linkname = first
			return u.tw.WriteHeader(hdr)
		}
		u.links[st.Ino] = rel
	}
	if _, err := fgetxattr(fd, "trusted.overlay.metacopy"); err == nil {
		return fmt.Errorf("commit /%s: a metadata-only copy-up (overlay metacopy) has no data to pack", rel)
	}
	hdr := u.header(rel, tar.TypeReg, st)
	hdr.Size = st.Size
	if err := u.addXattrs(hdr, "", fd); err != nil {
		return fmt.Errorf("commit /%s: %w", rel, err)
	}
	if err := u.tw.WriteHeader(hdr); err != nil {
		return err
	}
	// Exactly the size in the header: a file the container grows meanwhile
	// is cut there, one it shrinks fails the commit (never a corrupt tar).
	if n, err := io.Copy(u.tw, io.LimitReader(f, st.Size)); err != nil || n != st.Size {
		return fmt.Errorf("commit /%s: read %d of %d bytes (changed while committing?): %v", rel, n, st.Size, err)
	}
	return nil
}

// openRegular opens the regular file name of dirfd for reading. It is
// looked at through an O_PATH descriptor first: a device node or FIFO the
// container swapped in since the stat is never opened on the host.
func openRegular(dirfd int, name string) (*os.File, *unix.Stat_t, error) {
	pfd, err := unix.Openat(dirfd, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	defer unix.Close(pfd)
	var st unix.Stat_t
	if err := unix.Fstat(pfd, &st); err != nil {
		return nil, nil, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, nil, errors.New("changed while committing (no longer a regular file)")
	}
	fd, err := unix.Open(fmt.Sprintf("/proc/self/fd/%d", pfd), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	return os.NewFile(uintptr(fd), name), &st, nil
}

func (u *upperTar) header(name string, typ byte, st *unix.Stat_t) *tar.Header {
	return &tar.Header{
		Name: name, Typeflag: typ, Mode: int64(st.Mode & 0o7777),
		Uid: int(st.Uid), Gid: int(st.Gid), ModTime: mtime(st), Format: tar.FormatPAX,
	}
}

// markerTime is the time of whiteout and opaque entries: the layer store
// keeps no time for them, and a fixed one packs a stored layer again into
// the same tar (Save).
var markerTime = time.Unix(0, 0).UTC()

func mtime(st *unix.Stat_t) time.Time {
	return time.Unix(st.Mtim.Unix()).UTC()
}

// addXattrs copies the file's extended attributes into PAX records, all
// but overlayfs' own bookkeeping. The file is fd, or (fd < 0) the path p,
// which names it through its parent's descriptor.
func (u *upperTar) addXattrs(hdr *tar.Header, p string, fd int) error {
	list := func(buf []byte) (int, error) {
		if fd >= 0 {
			return unix.Flistxattr(fd, buf)
		}
		return unix.Llistxattr(p, buf)
	}
	get := func(attr string, buf []byte) (int, error) {
		if fd >= 0 {
			return unix.Fgetxattr(fd, attr, buf)
		}
		return unix.Lgetxattr(p, attr, buf)
	}
	names, err := readXattr(list)
	if errors.Is(err, unix.ENOTSUP) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list xattrs: %w", err)
	}
	for _, attr := range strings.Split(strings.TrimRight(string(names), "\x00"), "\x00") {
		if attr == "" || strings.HasPrefix(attr, "trusted.overlay.") || strings.HasPrefix(attr, "user.overlay.") {
			continue
		}
		v, err := readXattr(func(buf []byte) (int, error) { return get(attr, buf) })
		if err != nil {
			return fmt.Errorf("read xattr %s: %w", attr, err)
		}
		if hdr.PAXRecords == nil {
			hdr.PAXRecords = map[string]string{}
		}
		hdr.PAXRecords[xattrPAXPrefix+attr] = string(v)
	}
	return nil
}

// readXattr calls read with a buffer large enough for the value (xattr
// values are at most 64 KiB), asking the size first.
func readXattr(read func([]byte) (int, error)) ([]byte, error) {
	n, err := read(nil)
	if err != nil || n == 0 {
		return nil, err
	}
	buf := make([]byte, min(n+1024, 1<<16+1024))
	n, err = read(buf)
	if err != nil {
		return nil, err
	}
	return buf[:n], nil
}

func fgetxattr(fd int, attr string) ([]byte, error) {
	return readXattr(func(buf []byte) (int, error) { return unix.Fgetxattr(fd, attr, buf) })
}

func readlinkat(dirfd int, name string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(dirfd, name, buf)
	if err != nil {
		return "", err
	}
	return string(bytes.Clone(buf[:n])), nil
}
