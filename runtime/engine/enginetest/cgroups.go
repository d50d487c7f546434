package enginetest

import (
	"path/filepath"
	"strings"

	"berth/runtime/container"
)

// berthCgroups returns every berth cgroup directory on the host, as
// "hierarchy/berth-<id>" (or "berth-<id>" on cgroup v2).
func berthCgroups() map[string]bool {
	found := map[string]bool{}
	for _, cg := range container.Cgroups(container.CgroupRoot) {
		if rel, err := filepath.Rel(container.CgroupRoot, cg.Dir); err == nil {
			found[rel] = true
		}
	}
	return found
}

// idOf is the container id in a cgroup path from berthCgroups.
func idOf(cgroup string) string {
	return strings.TrimPrefix(filepath.Base(cgroup), container.CgroupPrefix)
}
