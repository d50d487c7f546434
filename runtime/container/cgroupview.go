package container

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"berth/runtime/internal/throwaway"

	"github.com/opencontainers/cgroups"
	"golang.org/x/sys/unix"
)

// The cgroup view on cgroup v1 is mounted by berth, not by runc. runc's
// "cgroup" mount resolves and verifies every path through procfs handles
// (about 45 syscalls per hierarchy, 9 hierarchies here) and then needs a
// read-only path for its tmpfs (a bind and a remount): 3-4 ms of a start
// on this VM. The init waits for Resume between runc's rootfs setup and
// the user's program, so no code of the container has run yet: a thread
// that joins its mount and cgroup namespaces mounts the view there with
// about 5 syscalls per hierarchy (BenchmarkRunCgroupView). On cgroup v2
// the view is a single cgroup2 mount, and runc's is kept.

// unifiedMode says whether the host is on cgroup v2 alone, where runc
// mounts the view; a variable so that tests on a v1 host check the v2
// configuration too.
var unifiedMode = cgroups.IsCgroup2UnifiedMode

// viewHierarchy is one cgroup v1 hierarchy of the view: the directory it
// gets under /sys/fs/cgroup (the host's name for it), the mount data that
// selects it, and the names of its controllers when it holds more than one
// (cpu and cpuacct for "cpu,cpuacct"), which become symlinks as in Docker.
type viewHierarchy struct {
	Dir     string
	Data    string
	Aliases []string
}

// viewHierarchies lists the host's cgroup v1 hierarchies once: they are
// mounted at boot and do not change while berth runs.
var viewHierarchies = sync.OnceValues(func() ([]viewHierarchy, error) {
	mounts, err := cgroups.GetCgroupMounts(false)
	if err != nil {
		return nil, fmt.Errorf("cgroup view: list the host's cgroup hierarchies: %w", err)
	}
	own, err := cgroups.ParseCgroupFile("/proc/self/cgroup")
	if err != nil {
		return nil, fmt.Errorf("cgroup view: %w", err)
	}
	return hierarchiesOf(mounts, own), nil
})

// hierarchiesOf turns the host's v1 cgroup mounts into the view's
// hierarchies. A named hierarchy (name=systemd) appears in mounts without
// its "name=" prefix and in own (/proc/self/cgroup) with it.
func hierarchiesOf(mounts []cgroups.Mount, own map[string]string) []viewHierarchy {
	var out []viewHierarchy
	for _, m := range mounts {
		dir := filepath.Base(m.Mountpoint)
		var data []string
		for _, s := range m.Subsystems {
			if _, ok := own[s]; !ok {
				if _, named := own[cgroups.CgroupNamePrefix+s]; named {
					s = cgroups.CgroupNamePrefix + s
				}
			}
			data = append(data, s)
		}
		h := viewHierarchy{Dir: dir, Data: strings.Join(data, ",")}
		if names := strings.Split(dir, ","); len(names) > 1 {
			h.Aliases = names
		}
		out = append(out, h)
	}
	return out
}

// mountCgroupViewV1 mounts the view of the container whose init is pid:
// a tmpfs at /sys/fs/cgroup, read-only, with each hierarchy mounted
// read-only in it. The init must be in a cgroup namespace of its own, so
// that each hierarchy's root is the container's cgroup, and must not have
// run the user's program yet.
func mountCgroupViewV1(pid int) error {
	hs, err := viewHierarchies()
	if err != nil {
		return err
	}
	// The thread joins the container's namespaces: Go must end it after.
	if err := throwaway.Thread(func() error { return mountViewInNamespaces(pid, hs) }); err != nil {
		return fmt.Errorf("cgroup view: %w", err)
	}
	return nil
}

func mountViewInNamespaces(pid int, hs []viewHierarchy) error {
	mntNS, err := os.Open(fmt.Sprintf("/proc/%d/ns/mnt", pid))
	if err != nil {
		return err
	}
	defer mntNS.Close()
	cgroupNS, err := os.Open(fmt.Sprintf("/proc/%d/ns/cgroup", pid))
	if err != nil {
		return err
	}
	defer cgroupNS.Close()
	// setns(CLONE_NEWNS) refuses a thread that shares its root and working
	// directory with the other threads of the process.
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return fmt.Errorf("unshare CLONE_FS: %w", err)
	}
	if err := unix.Setns(int(cgroupNS.Fd()), unix.CLONE_NEWCGROUP); err != nil {
		return fmt.Errorf("join cgroup namespace of pid %d: %w", pid, err)
	}
	if err := unix.Setns(int(mntNS.Fd()), unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("join mount namespace of pid %d: %w", pid, err)
	}
	// Joining the mount namespace moved this thread's root to the
	// container's root; the image's files are resolved inside it.
	target, err := unix.Openat2(unix.AT_FDCWD, "/sys/fs/cgroup", &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	})
	if err != nil {
		return fmt.Errorf("open /sys/fs/cgroup in the container: %w", err)
	}
	defer unix.Close(target)
	tmpfs, err := newViewTmpfs(hs)
	if err != nil {
		return err
	}
	defer unix.Close(tmpfs)
	if err := unix.MoveMount(tmpfs, "", target, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH); err != nil {
		return fmt.Errorf("attach tmpfs at /sys/fs/cgroup: %w", err)
	}
	for _, h := range hs {
		if err := mountHierarchy(tmpfs, h); err != nil {
			return err
		}
	}
	return nil
}

// newViewTmpfs makes the view's tmpfs, detached, with a directory for each
// hierarchy and its aliases, then makes it read-only.
func newViewTmpfs(hs []viewHierarchy) (int, error) {
	fsfd, err := unix.Fsopen("tmpfs", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return -1, fmt.Errorf("fsopen tmpfs: %w", err)
	}
	defer unix.Close(fsfd)
	for _, kv := range [][2]string{{"source", "tmpfs"}, {"mode", "755"}} {
		if err := unix.FsconfigSetString(fsfd, kv[0], kv[1]); err != nil {
			return -1, fmt.Errorf("tmpfs %s=%s: %w", kv[0], kv[1], err)
		}
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return -1, fmt.Errorf("create tmpfs: %w", err)
	}
	mfd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOEXEC)
	if err != nil {
		return -1, fmt.Errorf("fsmount tmpfs: %w", err)
	}
	err = func() error {
		for _, h := range hs {
			if err := unix.Mkdirat(mfd, h.Dir, 0o755); err != nil {
				return fmt.Errorf("mkdir %s: %w", h.Dir, err)
			}
			for _, a := range h.Aliases {
				if err := unix.Symlinkat(h.Dir, mfd, a); err != nil && err != unix.EEXIST {
					return fmt.Errorf("symlink %s -> %s: %w", a, h.Dir, err)
				}
			}
		}
		return unix.MountSetattr(mfd, "", unix.AT_EMPTY_PATH, &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY})
	}()
	if err != nil {
		unix.Close(mfd)
		return -1, fmt.Errorf("populate tmpfs: %w", err)
	}
	return mfd, nil
}

// mountHierarchy mounts h read-only on its directory in the view's tmpfs.
// mount(2) takes the hierarchy's data as a v1 cgroup mount wants it
// ("cpu,cpuacct", "name=systemd"); the directory is this thread's working
// directory, since the container's /proc does not show this thread.
func mountHierarchy(tmpfs int, h viewHierarchy) error {
	dir, err := unix.Openat(tmpfs, h.Dir, unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", h.Dir, err)
	}
	defer unix.Close(dir)
	if err := unix.Fchdir(dir); err != nil {
		return fmt.Errorf("chdir %s: %w", h.Dir, err)
	}
	source := "cgroup"
	if strings.HasPrefix(h.Data, cgroups.CgroupNamePrefix) {
		source = strings.TrimPrefix(h.Data, cgroups.CgroupNamePrefix) // as runc shows it
	}
	flags := uintptr(unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC | unix.MS_RELATIME)
	if err := unix.Mount(source, ".", "cgroup", flags, h.Data); err != nil {
		return fmt.Errorf("mount cgroup %s at /sys/fs/cgroup/%s: %w", h.Data, h.Dir, err)
	}
	return nil
}
