package hostmark

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/moby/sys/mountinfo"

	"berth/runtime/store"
)

// tempBaseName is the directory, in the system's temporary directory
// ($TMPDIR or /tmp), that holds the temporary directories berth makes.
const tempBaseName = "berth-host"

// TempBase is the directory that holds berth's temporary directories:
// $TMPDIR/berth-host for root (who runs berth), berth-host-UID for another
// user (whose tests may call host.tempdir), since each must own its base.
func TempBase() string {
	name := tempBaseName
	if uid := os.Geteuid(); uid != 0 {
		name += "-" + strconv.Itoa(uid)
	}
	return filepath.Join(os.TempDir(), name)
}

// MkdirTemp creates a new directory for owner, a process of this PID
// namespace, under TempBase, named "PID-START-PIDNS-RANDOM" so that
// SweepTempDirs can tell whose it is. Its mode is 0700, as os.MkdirTemp's.
func MkdirTemp(owner store.Owner) (string, error) {
	base := TempBase()
	if err := os.Mkdir(base, 0o711); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("create %s: %w", base, err)
	}
	if err := checkBase(base); err != nil {
		return "", err
	}
	return os.MkdirTemp(base, fmt.Sprintf("%d-%d-%d-", owner.Pid, owner.StartTime, PIDNamespace()))
}

// checkBase refuses a base directory that another user could have made or
// can write into: berth would create, and later delete, inside it.
func checkBase(base string) error {
	fi, err := os.Lstat(base)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return fmt.Errorf("%s is a %s, not a directory: remove it, berth makes it again", base, kind(fi.Mode()))
	case !ok || int(st.Uid) != os.Geteuid():
		return fmt.Errorf("%s belongs to another user, not to uid %d: remove it, berth makes it again", base, os.Geteuid())
	case fi.Mode().Perm()&0o022 != 0:
		return fmt.Errorf("%s has mode %04o, writable by others: remove it, berth makes it again with 0711", base, fi.Mode().Perm())
	}
	return nil
}

func kind(m fs.FileMode) string {
	if m&fs.ModeSymlink != 0 {
		return "symbolic link"
	}
	return "file of mode " + m.String()
}

// tempMark reads the owner from a temporary directory's name.
func tempMark(name string) (Mark, bool) {
	f := strings.SplitN(name, "-", 4)
	if len(f) != 4 {
		return Mark{}, false
	}
	pid, err1 := strconv.Atoi(f[0])
	start, err2 := strconv.ParseUint(f[1], 10, 64)
	pidns, err3 := strconv.ParseUint(f[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || pid <= 0 {
		return Mark{}, false
	}
	return Mark{Owner: store.Owner{Pid: pid, StartTime: start}, PIDNS: pidns}, true
}

// SweepTempDirs removes the temporary directories of owners that are no
// longer alive (see Mark.OwnerEnded). A directory with a file system mounted inside is left (its
// removal would empty the mounted one): left names it and why.
func SweepTempDirs() (removed int, left []string, err error) {
	base := TempBase()
	if _, err := os.Lstat(base); errors.Is(err, fs.ErrNotExist) {
		return 0, nil, nil
	}
	if err := checkBase(base); err != nil {
		return 0, nil, fmt.Errorf("temporary directories: %w", err)
	}
	entries, err := os.ReadDir(base)
	if err != nil {
		return 0, nil, fmt.Errorf("temporary directories: %w", err)
	}
	var errs []error
	for _, e := range entries {
		m, ok := tempMark(e.Name())
		if !ok || !m.OwnerEnded() {
			continue
		}
		o := m.Owner
		dir := filepath.Join(base, e.Name())
		real, err := filepath.EvalSymlinks(dir) // the mount table has real paths
		if err != nil {
			errs = append(errs, err)
			continue
		}
		mounts, err := mountinfo.GetMounts(mountinfo.PrefixFilter(real))
		if err != nil {
			errs = append(errs, fmt.Errorf("read mount table: %w", err))
			break
		}
		if len(mounts) > 0 {
			left = append(left, fmt.Sprintf("temporary directory %s of ended process %d: %s is mounted inside; unmount it, the next gc removes the directory", dir, o.Pid, mounts[0].Mountpoint))
			continue
		}
		// RemoveAll removes symlinks, never follows them.
		if err := os.RemoveAll(dir); err != nil {
			errs = append(errs, fmt.Errorf("remove temporary directory: %w", err))
			continue
		}
		removed++
	}
	return removed, left, errors.Join(errs...)
}
