package container

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// CgroupRoot is where the host mounts its cgroup file systems.
const CgroupRoot = "/sys/fs/cgroup"

// cgroupRemoveWait bounds how long RemoveCgroups retries a cgroup whose
// processes are still dying.
const cgroupRemoveWait = 5 * time.Second

// Cgroup is one directory of a berth container's cgroup, in one hierarchy.
type Cgroup struct {
	ID  string // the container's id
	Dir string // the directory, e.g. /sys/fs/cgroup/memory/berth-<id>
}

// hierarchies lists the directories under root that berth's cgroups can be
// in: root itself on a pure cgroup v2 host; else each v1 hierarchy and, on
// a hybrid host, the v2 one (root/unified). Symlinks such as cpu ->
// cpu,cpuacct are skipped, so a hierarchy is listed once.
func hierarchies(root string) []string {
	if _, err := os.Stat(filepath.Join(root, "cgroup.controllers")); err == nil {
		return []string{root}
	}
	entries, _ := os.ReadDir(root)
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join(root, e.Name()))
		}
	}
	return dirs
}

// Cgroups lists the cgroup directories of berth containers under root
// (CgroupRoot, or a copy of its layout), in every hierarchy. A hierarchy
// that cannot be read is skipped.
func Cgroups(root string) []Cgroup {
	var out []Cgroup
	for _, hier := range hierarchies(root) {
		entries, err := os.ReadDir(hier)
		if err != nil {
			continue
		}
		for _, e := range entries {
			id, ok := strings.CutPrefix(e.Name(), CgroupPrefix)
			if ok && e.IsDir() {
				out = append(out, Cgroup{ID: id, Dir: filepath.Join(hier, e.Name())})
			}
		}
	}
	return out
}

// RemoveCgroups kills what still runs in the cgroups under root of the
// containers that dead names, and removes the cgroups. It returns how many
// directories it removed. Only the ids given count: a berth cgroup of
// another root may belong to a live process.
func RemoveCgroups(root string, dead map[string]bool) (int, error) {
	var errs []error
	removed := 0
	for _, cg := range Cgroups(root) {
		if !dead[cg.ID] {
			continue
		}
		if err := removeCgroup(cg.Dir, cgroupRemoveWait); err != nil {
			errs = append(errs, err)
			continue
		}
		removed++
	}
	return removed, errors.Join(errs...)
}

// removeCgroup kills the processes listed in dir's cgroup.procs and
// removes dir, retrying for up to wait while they die (a cgroup with
// processes cannot be removed).
func removeCgroup(dir string, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "cgroup.procs")); err == nil {
			for _, f := range strings.Fields(string(data)) {
				var pid int
				if _, err := fmt.Sscan(f, &pid); err == nil && pid > 0 {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
		err := os.Remove(dir)
		if err == nil || errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gc: remove cgroup %s: %w", dir, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
