// Package fsroot opens files inside a directory tree that a container
// controls (its root filesystem, a volume, a bind source) without ever
// leaving that tree, however the container changes it meanwhile.
//
// Resolving a path and then opening the result by name loses a race: a
// container that swaps a directory for a symlink between the two gets the
// host's file opened. A Root instead holds the tree's top directory open and
// has the kernel resolve every path relative to it, with openat2(2)'s
// RESOLVE_IN_ROOT (symlinks, absolute ones and ".." included, resolve as if
// the directory were "/") and RESOLVE_NO_MAGICLINKS (no /proc/PID/fd jumps).
// Whatever is done after the lookup is done on the descriptor it returned,
// never on a name again. openat2 needs Linux 5.6 or later.
package fsroot

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"runtime"
	"strconv"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// Root is an open directory that paths are resolved in.
type Root struct {
	dir     *os.File // O_PATH | O_DIRECTORY
	resolve uint64   // openat2's RESOLVE_* flags
}

const (
	inRoot  = unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS
	beneath = unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS
)

// Open opens the directory dir, a trusted host path, as a Root.
func Open(dir string) (*Root, error) {
	f, err := openDir(dir)
	if err != nil {
		return nil, err
	}
	return &Root{dir: f, resolve: inRoot}, nil
}

// OpenBeneath is Open for a tree whose paths must not leave it at all,
// such as a suite of scenario files: an absolute path, or a ".." or a
// symlink that would lead out of dir, fails with EXDEV instead of being
// resolved as if dir were "/". MkdirAll and WriteFile are Open's alone.
func OpenBeneath(dir string) (*Root, error) {
	f, err := openDir(dir)
	if err != nil {
		return nil, err
	}
	return &Root{dir: f, resolve: beneath}, nil
}

func openDir(dir string) (*os.File, error) {
	return os.OpenFile(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
}

// New makes a Root (as Open does) of an open directory, which the Root
// then owns.
func New(dir *os.File) *Root { return &Root{dir: dir, resolve: inRoot} }

// Close closes the root's directory.
func (r *Root) Close() error { return r.dir.Close() }

// Name is the host path the root was opened with.
func (r *Root) Name() string { return r.dir.Name() }

// ErrNoOpenat2 is returned on kernels older than 5.6.
var ErrNoOpenat2 = errors.New("openat2 is not supported: berth needs Linux 5.6 or later")

// open opens p inside the root. Errors are *os.PathError naming p, never a
// host path.
func (r *Root) open(p string, flags int, mode uint32) (*os.File, error) {
	how := unix.OpenHow{
		Flags:   uint64(flags | unix.O_CLOEXEC),
		Mode:    uint64(mode),
		Resolve: r.resolve,
	}
	for tries := 0; ; tries++ {
		fd, err := unix.Openat2(int(r.dir.Fd()), p, &how)
		runtime.KeepAlive(r.dir)
		switch {
		case err == nil:
			return os.NewFile(uintptr(fd), p), nil
		case err == unix.EINTR:
			continue
		case (err == unix.EAGAIN || err == unix.EXDEV) && tries < 64:
			// A rename or mount elsewhere raced a ".." step: the kernel
			// asks for a retry rather than risk a wrong answer. (A real
			// escape under OpenBeneath fails the same way every time.)
			continue
		case err == unix.ENOSYS:
			return nil, ErrNoOpenat2
		}
		return nil, &os.PathError{Op: "open", Path: p, Err: err}
	}
}

// Lookup returns an O_PATH handle on what p names inside the root,
// following symlinks as the container would. Opening it gives no access
// to the file's content: see OpenDir, ReadFile.
func (r *Root) Lookup(p string) (*os.File, error) {
	return r.open(p, unix.O_PATH, 0)
}

// LookupNoFollow is Lookup of p itself when p is a symlink: only the
// directories leading to it are followed.
func (r *Root) LookupNoFollow(p string) (*os.File, error) {
	return r.open(p, unix.O_PATH|unix.O_NOFOLLOW, 0)
}

// OpenDir opens the directory p names inside the root, for reading.
func (r *Root) OpenDir(p string) (*os.File, error) {
	return r.open(p, unix.O_RDONLY|unix.O_DIRECTORY, 0)
}

// MkdirAll creates the directory p inside the root and any missing
// parents, with mode perm (before the umask).
func (r *Root) MkdirAll(p string, perm os.FileMode) error {
	if r.resolve != inRoot {
		return &os.PathError{Op: "mkdir", Path: p, Err: errors.New("fsroot: a root opened with OpenBeneath is for reading")}
	}
	d, err := pathrs.MkdirAllHandle(r.dir, p, perm)
	if err != nil {
		// The library's messages name host paths: keep only the cause.
		return &os.PathError{Op: "mkdir", Path: p, Err: rootCause(err)}
	}
	return d.Close()
}

// ReadFile returns the content of the regular file p names inside the
// root, refusing anything else (see ReadRegular) and files of more than
// limit bytes.
func (r *Root) ReadFile(p string, limit int64) ([]byte, error) {
	h, err := r.Lookup(p)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	return ReadRegular(h, limit)
}

// WriteFile writes data to the file p names inside the root, creating its
// parent directories (mode 0755) and the file (mode perm) when missing,
// truncating it when it exists. Only a regular file is ever opened: a
// device, a FIFO or a socket at p is refused without being opened, and a
// file that appears while the file is being created is not opened either.
func (r *Root) WriteFile(p string, data []byte, perm os.FileMode) error {
	p = path.Clean("/" + p)
	if p == "/" {
		return &os.PathError{Op: "write", Path: p, Err: &NotRegularError{Kind: "a directory"}}
	}
	if err := r.MkdirAll(path.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := r.openForWrite(p, perm)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return &os.PathError{Op: "write", Path: p, Err: rootCause(werr)}
	}
	return nil
}

// openForWrite opens the existing regular file at p, or creates it. The
// lookup and the create both resolve p in the root; the create uses
// O_EXCL, so it never opens what is already there.
func (r *Root) openForWrite(p string, perm os.FileMode) (*os.File, error) {
	for range 3 {
		h, err := r.Lookup(p)
		if err == nil {
			f, err := reopenRegular(h, unix.O_WRONLY|unix.O_TRUNC)
			h.Close()
			if err != nil {
				return nil, &os.PathError{Op: "open", Path: p, Err: err}
			}
			return f, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		f, err := r.open(p, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NONBLOCK|unix.O_NOCTTY, uint32(perm.Perm()))
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
		// Made meanwhile, or a symlink to a missing file: look again.
	}
	return nil, &os.PathError{Op: "open", Path: p, Err: errors.New("a symlink to a missing file, or a file that keeps changing: not written")}
}

// reopenRegular opens the file that the O_PATH handle h refers to (the
// same inode, whatever its name now points at) with flags, if it is a
// regular file.
func reopenRegular(h *os.File, flags int) (*os.File, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(h.Fd()), &st); err != nil {
		return nil, err
	}
	if kind := st.Mode & unix.S_IFMT; kind != unix.S_IFREG {
		return nil, &NotRegularError{Kind: KindName(kind)}
	}
	f, err := pathrs.Reopen(h, flags|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC)
	if err != nil {
		return nil, rootCause(err)
	}
	return f, nil
}

// NotRegularError refuses a file that is not a regular file.
type NotRegularError struct{ Kind string }

func (e *NotRegularError) Error() string { return "not a regular file (" + e.Kind + ")" }

// KindName names a file type (st_mode & S_IFMT) with its article.
func KindName(kind uint32) string {
	switch kind {
	case unix.S_IFDIR:
		return "a directory"
	case unix.S_IFIFO:
		return "a named pipe"
	case unix.S_IFSOCK:
		return "a socket"
	case unix.S_IFCHR:
		return "a character device"
	case unix.S_IFBLK:
		return "a block device"
	case unix.S_IFLNK:
		return "a symlink"
	case unix.S_IFREG:
		return "a regular file"
	}
	return fmt.Sprintf("file type %#o", kind)
}

// ProcPath is the /proc/self/fd path of f: the exact inode f refers to,
// for the calls that have no form taking a descriptor. Even for an O_PATH
// handle on a symlink, the kernel stops at the symlink itself.
func ProcPath(f *os.File) string { return "/proc/self/fd/" + strconv.Itoa(int(f.Fd())) }

// rootCause returns the errno at the bottom of err, if any: the library's
// own messages name host paths, which a container's user never named.
func rootCause(err error) error {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return errno
	}
	var nr *NotRegularError
	if errors.As(err, &nr) {
		return nr
	}
	return err
}
