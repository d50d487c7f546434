package volume

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
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
// directory. Both trees must hold still during the copy, as they do before
// the container starts. On error dst holds part of the tree; the store's
// PrepareMount empties it again.
func CopyUp(src, dst string) error {
	return copyUp(src, dst, nil)
}

func copyUp(src, dst string, hook func(string) error) error {
	var st unix.Stat_t
	if err := unix.Lstat(src, &st); err != nil {
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
			return nil
		}
		return fmt.Errorf("copy up %q: %w", src, &os.PathError{Op: "lstat", Path: src, Err: err})
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return nil
	}
	c := &copier{links: map[fileID]string{}, hook: hook}
	if err := c.copyDir(src, dst, &st); err != nil {
		return fmt.Errorf("copy up %q to %q: %w", src, dst, err)
	}
	return nil
}

// fileID names an inode, to recognise hard links.
type fileID struct{ dev, ino uint64 }

type copier struct {
	// links maps each multiply-linked source inode copied so far to its
	// first copy, which later names of the inode become hard links to.
	links map[fileID]string
	hook  func(src string) error
}

// copyDir copies the entries of directory src into the existing directory
// dst, then gives dst src's metadata. Metadata comes last: creating the
// entries changes dst's mtime, and a read-only mode would stand in the way.
func (c *copier) copyDir(src, dst string, st *unix.Stat_t) error {
	names, err := readNames(src)
	if err != nil {
		return err
	}
	for _, name := range names {
		s, d := filepath.Join(src, name), filepath.Join(dst, name)
		var est unix.Stat_t
		if err := unix.Lstat(s, &est); err != nil {
			return &os.PathError{Op: "lstat", Path: s, Err: err}
		}
		if c.hook != nil {
			if err := c.hook(s); err != nil {
				return err
			}
		}
		if err := c.copyEntry(s, d, &est); err != nil {
			return err
		}
	}
	return applyMetadata(src, dst, st)
}

func (c *copier) copyEntry(src, dst string, st *unix.Stat_t) error {
	kind := st.Mode & unix.S_IFMT
	var id fileID
	linked := kind != unix.S_IFDIR && st.Nlink > 1
	if linked {
		id = fileID{dev: uint64(st.Dev), ino: st.Ino} // Dev is uint32 on some architectures
		if first, ok := c.links[id]; ok {
			// The inode has its content and metadata already: give it
			// one more name.
			return os.Link(first, dst)
		}
	}
	var err error
	switch kind {
	case unix.S_IFDIR:
		if err := os.Mkdir(dst, 0o700); err != nil {
			return err
		}
		return c.copyDir(src, dst, st)
	case unix.S_IFREG:
		err = copyFile(src, dst, st.Size)
	case unix.S_IFLNK:
		err = copySymlink(src, dst)
	case unix.S_IFCHR, unix.S_IFBLK, unix.S_IFIFO:
		if err = unix.Mknod(dst, kind|0o600, int(st.Rdev)); err != nil {
			err = &os.PathError{Op: "mknod", Path: dst, Err: err}
		}
	case unix.S_IFSOCK:
		return nil // a socket is a running program's; Docker's copy skips them too
	default:
		return fmt.Errorf("%q: unknown file type %#o", src, kind)
	}
	if err != nil {
		return err
	}
	if err := applyMetadata(src, dst, st); err != nil {
		return err
	}
	if linked {
		c.links[id] = dst
	}
	return nil
}

// copyFile copies a regular file's content, size bytes by its lstat, and
// leaves the rest of its metadata to applyMetadata. It uses raw descriptors:
// os.File's poller registration costs more than copying a small file.
func copyFile(src, dst string, size int64) (err error) {
	in, err := unix.Open(src, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: src, Err: err}
	}
	defer unix.Close(in)
	out, err := unix.Open(dst, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return &os.PathError{Op: "open", Path: dst, Err: err}
	}
	defer func() {
		if cerr := unix.Close(out); cerr != nil && err == nil {
			err = &os.PathError{Op: "close", Path: dst, Err: cerr}
		}
	}()
	if err := copyData(in, out, size); err != nil {
		return fmt.Errorf("copy %q: %w", src, err)
	}
	return nil
}

// copyData copies size bytes from in to out: in the kernel with
// copy_file_range where the two file systems allow it, else through a
// buffer.
func copyData(in, out int, size int64) error {
	var done int64
	for done < size {
		n, err := unix.CopyFileRange(in, nil, out, nil, int(min(size-done, 1<<30)), 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			if done == 0 && (err == unix.EXDEV || err == unix.EINVAL || err == unix.ENOSYS || err == unix.EOPNOTSUPP) {
				break // not between these files: copy through a buffer
			}
			return err
		}
		if n == 0 {
			return nil // the file is shorter than its lstat said
		}
		done += int64(n)
	}
	if done >= size {
		return nil
	}
	buf := make([]byte, min(size, 1<<17))
	for {
		n, err := unix.Read(in, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		for w := buf[:n]; len(w) > 0; {
			m, err := unix.Write(out, w)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return err
			}
			w = w[m:]
		}
	}
}

func copySymlink(src, dst string) error {
	target, err := os.Readlink(src)
	if err != nil {
		return err
	}
	return os.Symlink(target, dst)
}

// applyMetadata gives dst the owner, mode, extended attributes and times
// of src, whose lstat is st, without following a symlink at dst. The order
// matters: chown clears the setuid and setgid bits and the
// security.capability attribute, so mode and attributes come after it, and
// times come last because setting the others changes nothing they hold.
func applyMetadata(src, dst string, st *unix.Stat_t) error {
	if err := setOwnerMode(dst, st); err != nil {
		return err
	}
	if err := copyXattrs(src, dst, st.Mode&unix.S_IFMT == unix.S_IFLNK); err != nil {
		return err
	}
	return setTimes(dst, st)
}

func setOwnerMode(dst string, st *unix.Stat_t) error {
	if err := unix.Lchown(dst, int(st.Uid), int(st.Gid)); err != nil {
		return &os.PathError{Op: "lchown", Path: dst, Err: err}
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return nil // a symlink's mode means nothing on Linux and cannot be set
	}
	if err := unix.Fchmodat(unix.AT_FDCWD, dst, st.Mode&0o7777, 0); err != nil {
		return &os.PathError{Op: "chmod", Path: dst, Err: err}
	}
	return nil
}

func setTimes(dst string, st *unix.Stat_t) error {
	times := []unix.Timespec{st.Atim, st.Mtim}
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, dst, times, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "utimensat", Path: dst, Err: err}
	}
	return nil
}

// copyXattrs copies src's extended attributes to dst, best effort: a file
// system without them (ENOTSUP) is not an error, nor is the kernel's refusal
// of user.* attributes on a symlink (EPERM).
func copyXattrs(src, dst string, isLink bool) error {
	names, err := listXattrs(src)
	if err != nil {
		if errors.Is(err, unix.ENOTSUP) {
			return nil
		}
		return &os.PathError{Op: "llistxattr", Path: src, Err: err}
	}
	for _, name := range names {
		val, err := getXattr(src, name)
		if errors.Is(err, unix.ENODATA) {
			continue // removed since the listing
		}
		if err != nil {
			return &os.PathError{Op: "lgetxattr " + name, Path: src, Err: err}
		}
		err = unix.Lsetxattr(dst, name, val, 0)
		switch {
		case err == nil, errors.Is(err, unix.ENOTSUP), isLink && errors.Is(err, unix.EPERM):
		default:
			return &os.PathError{Op: "lsetxattr " + name, Path: dst, Err: err}
		}
	}
	return nil
}

// listXattrs returns the names of path's extended attributes. Most files
// have none, so one call with a small buffer usually answers.
func listXattrs(path string) ([]string, error) {
	buf := make([]byte, 256)
	for {
		n, err := unix.Llistxattr(path, buf)
		if errors.Is(err, unix.ERANGE) {
			size, err := unix.Llistxattr(path, nil)
			if err != nil {
				return nil, err
			}
			buf = make([]byte, size+64) // room in case one is added meanwhile
			continue
		}
		if err != nil {
			return nil, err
		}
		var names []string
		for _, name := range strings.Split(string(buf[:n]), "\x00") {
			if name != "" {
				names = append(names, name)
			}
		}
		return names, nil
	}
}

func getXattr(path, name string) ([]byte, error) {
	buf := make([]byte, 256)
	for {
		n, err := unix.Lgetxattr(path, name, buf)
		if errors.Is(err, unix.ERANGE) {
			size, err := unix.Lgetxattr(path, name, nil)
			if err != nil {
				return nil, err
			}
			buf = make([]byte, size+64)
			continue
		}
		if err != nil {
			return nil, err
		}
		return buf[:n], nil
	}
}
