package engine

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"berth/runtime/container"
)

// mounted reports whether path is a mount point.
func mounted(path string) bool {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && fields[4] == path {
			return true
		}
	}
	return false
}

// cgroupDirs lists the directories berth's cgroups can be in: each v1
// hierarchy and the v2 (unified) root.
func cgroupDirs() []string {
	const base = "/sys/fs/cgroup"
	if _, err := os.Stat(filepath.Join(base, "cgroup.controllers")); err == nil {
		return []string{base} // pure cgroup v2
	}
	entries, _ := os.ReadDir(base)
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join(base, e.Name()))
		}
	}
	return dirs
}

// removeStaleCgroups kills what still runs in the cgroups of dead
// containers and removes the cgroups. Only ids known to this root count:
// a berth cgroup of another root may belong to a live process.
func removeStaleCgroups(dead map[string]bool) (int, error) {
	var errs []error
	removed := 0
	for _, hier := range cgroupDirs() {
		entries, err := os.ReadDir(hier)
		if err != nil {
			continue
		}
		for _, e := range entries {
			id, ok := strings.CutPrefix(e.Name(), container.CgroupPrefix)
			if !ok || !e.IsDir() || !dead[id] {
				continue
			}
			if err := removeCgroup(filepath.Join(hier, e.Name())); err != nil {
				errs = append(errs, err)
				continue
			}
			removed++
		}
	}
	return removed, errors.Join(errs...)
}

func removeCgroup(dir string) error {
	deadline := time.Now().Add(5 * time.Second)
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
