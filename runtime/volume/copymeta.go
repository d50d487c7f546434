package volume

import (
	"errors"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"berth/runtime/fsroot"
)

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

// applyMetadata gives dst the owner, mode, extended attributes and times
// of src, whose stat is st, through their descriptors (O_PATH ones
// included: a symlink's or a device's). The order matters: chown clears
// the setuid and setgid bits and the security.capability attribute, so
// mode and attributes come after it, and times come last because setting
// the others changes nothing they hold.
func applyMetadata(src, dst *os.File, st *unix.Stat_t) error {
	if err := setOwnerMode(dst, st); err != nil {
		return err
	}
	if err := copyXattrs(fsroot.ProcPath(src), fsroot.ProcPath(dst), st.Mode&unix.S_IFMT == unix.S_IFLNK); err != nil {
		return err
	}
	return setTimes(dst, st)
}

func setOwnerMode(f *os.File, st *unix.Stat_t) error {
	if err := unix.Fchownat(int(f.Fd()), "", int(st.Uid), int(st.Gid), unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "chown", Path: f.Name(), Err: err}
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return nil // a symlink's mode means nothing on Linux and cannot be set
	}
	// fchmod refuses O_PATH handles; the /proc path reaches the same inode.
	if err := unix.Fchmodat(unix.AT_FDCWD, fsroot.ProcPath(f), st.Mode&0o7777, 0); err != nil {
		return &os.PathError{Op: "chmod", Path: f.Name(), Err: err}
	}
	return nil
}

func setTimes(f *os.File, st *unix.Stat_t) error {
	times := []unix.Timespec{st.Atim, st.Mtim}
	if err := unix.UtimesNanoAt(int(f.Fd()), "", times, unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "utimensat", Path: f.Name(), Err: err}
	}
	return nil
}

// copyXattrs copies src's extended attributes to dst, best effort: a file
// system without them (ENOTSUP) is not an error, nor is the kernel's refusal
// of user.* attributes on a symlink (EPERM). Both are /proc/self/fd paths,
// which the kernel resolves to the descriptors' own inodes, symlinks
// included.
func copyXattrs(src, dst string, isLink bool) error {
	names, err := listXattrs(src)
	if err != nil {
		if errors.Is(err, unix.ENOTSUP) {
			return nil
		}
		return &os.PathError{Op: "listxattr", Path: src, Err: err}
	}
	for _, name := range names {
		val, err := getXattr(src, name)
		if errors.Is(err, unix.ENODATA) {
			continue // removed since the listing
		}
		if err != nil {
			return &os.PathError{Op: "getxattr " + name, Path: src, Err: err}
		}
		err = unix.Setxattr(dst, name, val, 0)
		switch {
		case err == nil, errors.Is(err, unix.ENOTSUP), isLink && errors.Is(err, unix.EPERM):
		default:
			return &os.PathError{Op: "setxattr " + name, Path: dst, Err: err}
		}
	}
	return nil
}

// listXattrs returns the names of path's extended attributes (path is a
// /proc/self/fd one: see fsroot.ProcPath). Most files
// have none, so one call with a small buffer usually answers.
func listXattrs(path string) ([]string, error) {
	buf := make([]byte, 256)
	for {
		n, err := unix.Listxattr(path, buf)
		if errors.Is(err, unix.ERANGE) {
			size, err := unix.Listxattr(path, nil)
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
		n, err := unix.Getxattr(path, name, buf)
		if errors.Is(err, unix.ERANGE) {
			size, err := unix.Getxattr(path, name, nil)
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
