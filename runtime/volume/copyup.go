package volume

import (
	"errors"
	"fmt"
	"os"
	"path"

	"golang.org/x/sys/unix"

	"berth/runtime/fsroot"
)

// CopyUp copies the tree at src (a directory of a container's root
// filesystem) into dst (an existing, empty directory: a volume's _data),
// keeping what the files are, not just their bytes: owner, mode with the
// setuid, setgid and sticky bits, access and modification times (of
// directories too), symlinks as symlinks (never followed), hard links within
// the tree as hard links, device nodes and FIFOs, and extended attributes
// where dst's file system supports them. Sockets are skipped, as Docker's
// tar-based copy does. dst itself takes src's owner, mode, times and
// attributes, so that a volume over an image's /var/lib/mysql belongs to
// the image's mysql user.
//
// If src does not exist or is not a directory (a symlink included) nothing
// is copied and the result is nil: Docker copies only where the image has a
// directory. On error dst holds part of the tree; the store's PrepareMount
// empties it again.
//
// A container may be changing dst during the copy (another container using
// the volume): the copy walks both trees by directory descriptors and never
// resolves a name it did not just create in a directory it holds open, so
// whatever is swapped in, nothing outside dst is written (see copier).
func CopyUp(src, dst string) error {
	s, err := os.OpenFile(src, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		if notADir(err) {
			return nil
		}
		return fmt.Errorf("copy up %q: %w", src, err)
	}
	defer s.Close()
	d, err := fsroot.Open(dst)
	if err != nil {
		return fmt.Errorf("copy up to %q: %w", dst, err)
	}
	defer d.Close()
	if err := copyTree(s, d, nil); err != nil {
		return fmt.Errorf("copy up %q to %q: %w", src, dst, err)
	}
	return nil
}

// notADir reports an error that means "no directory there".
func notADir(err error) bool {
	return errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.ELOOP)
}

// copyTree copies the content of the open directory src into the top of
// dst, then gives that top src's metadata. hook, if set (by tests), runs
// before each entry.
func copyTree(src *os.File, dst *fsroot.Root, hook func(string) error) error {
	var st unix.Stat_t
	if err := unix.Fstat(int(src.Fd()), &st); err != nil {
		return err
	}
	top, err := dst.OpenDir("/")
	if err != nil {
		return err
	}
	defer top.Close()
	c := &copier{dst: dst, links: map[fileID]firstCopy{}, hook: hook}
	if err := c.copyDir(src, top, "/"); err != nil {
		return err
	}
	return applyMetadata(src, top, &st)
}

// fileID names an inode, to recognise hard links.
type fileID struct{ dev, ino uint64 }

func idOf(st *unix.Stat_t) fileID {
	return fileID{dev: uint64(st.Dev), ino: st.Ino} // Dev is uint32 on some architectures
}

// firstCopy is where a multiply-linked source inode was first copied to.
type firstCopy struct {
	path string // inside dst
	id   fileID // the copy's inode, checked again before linking to it
}

// copier copies entry by entry. Each entry is read through a descriptor
// opened relative to its source directory's, created relative to its
// destination directory's descriptor with a call that does not follow a
// symlink at the name (mkdirat, openat O_CREAT|O_EXCL, symlinkat,
// mknodat), reopened with O_NOFOLLOW, and from then on only touched
// through its own descriptor.
type copier struct {
	dst *fsroot.Root
	// links maps each multiply-linked source inode copied so far to its
	// first copy, which later names of the inode become hard links to.
	links map[fileID]firstCopy
	hook  func(path string) error
}

// copyDir copies the entries of the directory src into the directory dst.
// rel is their path inside the tree, for errors.
func (c *copier) copyDir(src, dst *os.File, rel string) error {
	names, err := src.Readdirnames(-1)
	if err != nil {
		return &os.PathError{Op: "readdir", Path: rel, Err: err}
	}
	for _, name := range names {
		p := path.Join(rel, name)
		var st unix.Stat_t
		if err := unix.Fstatat(int(src.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return &os.PathError{Op: "lstat", Path: p, Err: err}
		}
		if c.hook != nil {
			if err := c.hook(p); err != nil {
				return err
			}
		}
		if err := c.copyEntry(src, dst, name, p, &st); err != nil {
			return err
		}
	}
	return nil
}

func (c *copier) copyEntry(srcDir, dstDir *os.File, name, rel string, st *unix.Stat_t) error {
	kind := st.Mode & unix.S_IFMT
	if kind == unix.S_IFSOCK {
		return nil // a socket is a running program's; Docker's copy skips them too
	}
	linked := kind != unix.S_IFDIR && st.Nlink > 1
	if linked {
		if first, ok := c.links[idOf(st)]; ok {
			// The inode has its content and metadata already: give it
			// one more name.
			return c.link(first, dstDir, name, rel)
		}
	}
	src, err := openAt(srcDir, name, sourceFlags(kind), 0, kind, rel)
	if err != nil {
		return err
	}
	defer src.Close()
	if id, err := fstatID(src); err != nil || id != idOf(st) {
		return &os.PathError{Op: "open", Path: rel, Err: errChanged}
	}
	dst, err := create(src, dstDir, name, rel, st)
	if err != nil {
		return err
	}
	defer dst.Close()
	switch kind {
	case unix.S_IFDIR:
		err = c.copyDir(src, dst, rel)
	case unix.S_IFREG:
		err = copyData(int(src.Fd()), int(dst.Fd()), st.Size)
		if err != nil {
			err = &os.PathError{Op: "copy", Path: rel, Err: err}
		}
	}
	if err != nil {
		return err
	}
	if err := applyMetadata(src, dst, st); err != nil {
		return &os.PathError{Op: "set metadata of", Path: rel, Err: err}
	}
	if linked {
		id, err := fstatID(dst)
		if err != nil {
			return &os.PathError{Op: "stat", Path: rel, Err: err}
		}
		c.links[idOf(st)] = firstCopy{path: rel, id: id}
	}
	return nil
}

// errChanged reports a tree that changed under the copy.
var errChanged = errors.New("changed during the copy")

// sourceFlags opens a source entry: directories and regular files for
// reading (never blocking: a FIFO swapped in is caught by the inode
// check), the rest as O_PATH handles, never opened for I/O.
func sourceFlags(kind uint32) int {
	switch kind {
	case unix.S_IFDIR:
		return unix.O_RDONLY | unix.O_DIRECTORY
	case unix.S_IFREG:
		return unix.O_RDONLY | unix.O_NONBLOCK | unix.O_NOCTTY
	}
	return unix.O_PATH
}

// create makes the entry name in dstDir as a copy of src (without content
// or metadata) and returns a descriptor on it.
func create(src, dstDir *os.File, name, rel string, st *unix.Stat_t) (*os.File, error) {
	dfd := int(dstDir.Fd())
	kind := st.Mode & unix.S_IFMT
	var err error
	switch kind {
	case unix.S_IFDIR:
		if err = unix.Mkdirat(dfd, name, 0o700); err == nil {
			return openAt(dstDir, name, unix.O_RDONLY|unix.O_DIRECTORY, 0, kind, rel)
		}
	case unix.S_IFREG:
		return openAt(dstDir, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL, 0o600, kind, rel)
	case unix.S_IFLNK:
		var target string
		if target, err = readlink(src); err == nil {
			if err = unix.Symlinkat(target, dfd, name); err == nil {
				return openAt(dstDir, name, unix.O_PATH, 0, kind, rel)
			}
		}
	case unix.S_IFCHR, unix.S_IFBLK, unix.S_IFIFO:
		if err = unix.Mknodat(dfd, name, kind|0o600, int(st.Rdev)); err == nil {
			return openAt(dstDir, name, unix.O_PATH, 0, kind, rel)
		}
	default:
		err = fmt.Errorf("unknown file type %#o", kind)
	}
	return nil, &os.PathError{Op: "create", Path: rel, Err: err}
}

// openAt opens name in dir without following a symlink there, and checks
// that it is of the kind expected.
func openAt(dir *os.File, name string, flags int, mode uint32, kind uint32, rel string) (*os.File, error) {
	fd, err := unix.Openat(int(dir.Fd()), name, flags|unix.O_NOFOLLOW|unix.O_CLOEXEC, mode)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: rel, Err: err}
	}
	f := os.NewFile(uintptr(fd), rel)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != kind {
		f.Close()
		return nil, &os.PathError{Op: "open", Path: rel, Err: errChanged}
	}
	return f, nil
}

// link makes name in dstDir one more name of the first copy of an inode,
// found again from the top of the tree without leaving it, and checked to
// be that copy still.
func (c *copier) link(first firstCopy, dstDir *os.File, name, rel string) error {
	h, err := c.dst.LookupNoFollow(first.path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return &os.PathError{Op: "link", Path: rel, Err: fmt.Errorf("its first name %s: %w", first.path, err)}
	}
	defer h.Close()
	if id, err := fstatID(h); err != nil || id != first.id {
		return &os.PathError{Op: "link", Path: rel, Err: fmt.Errorf("its first name %s %w", first.path, errChanged)}
	}
	// Through /proc: linkat(AT_EMPTY_PATH) would need CAP_DAC_READ_SEARCH.
	if err := unix.Linkat(unix.AT_FDCWD, fsroot.ProcPath(h), int(dstDir.Fd()), name, unix.AT_SYMLINK_FOLLOW); err != nil {
		return &os.PathError{Op: "link", Path: rel, Err: err}
	}
	return nil
}

func fstatID(f *os.File) (fileID, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return fileID{}, err
	}
	return idOf(&st), nil
}

// readlink reads the target of the symlink that the O_PATH handle h is on.
func readlink(h *os.File) (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(int(h.Fd()), "", buf)
		if err != nil {
			return "", err
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}
