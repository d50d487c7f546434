package enginetest

import (
	"os"
	"path/filepath"
	"strings"

	"berth/runtime/container"
)

// cgroupRoot holds one directory per hierarchy on cgroup v1 (memory,
// unified, systemd, ...), or is the single hierarchy on v2.
const cgroupRoot = "/sys/fs/cgroup"

// berthCgroups returns every berth cgroup directory on the host, as
// "hierarchy/berth-<id>" (or "berth-<id>" on cgroup v2).
func berthCgroups() map[string]bool {
	found := map[string]bool{}
	scan := func(dir, prefix string) {
		entries, _ := os.ReadDir(dir)
		for _, ent := range entries {
			if ent.IsDir() && strings.HasPrefix(ent.Name(), container.CgroupPrefix) {
				found[prefix+ent.Name()] = true
			}
		}
	}
	scan(cgroupRoot, "")
	hierarchies, _ := os.ReadDir(cgroupRoot)
	for _, h := range hierarchies {
		// cpu and cpuacct are symlinks to "cpu,cpuacct": list it once.
		if h.IsDir() && !strings.HasPrefix(h.Name(), container.CgroupPrefix) {
			scan(filepath.Join(cgroupRoot, h.Name()), h.Name()+"/")
		}
	}
	return found
}

// idOf is the container id in a cgroup path from berthCgroups.
func idOf(cgroup string) string {
	return strings.TrimPrefix(filepath.Base(cgroup), container.CgroupPrefix)
}
