package volume

import (
	"path"
	"slices"
	"strings"

	"berth/runtime/spec"
)

// StoredNames lists the store names of the volumes mounted.
func StoredNames(mps []MountPoint) []string {
	var names []string
	for _, mp := range mps {
		if mp.Type == spec.MountVolume && !slices.Contains(names, mp.Stored) {
			names = append(names, mp.Stored)
		}
	}
	return names
}

// InspectMounts is inspect's Mounts list.
func InspectMounts(mps []MountPoint) []any {
	out := []any{}
	for _, mp := range mps {
		m := map[string]any{
			"Type":        string(mp.Type),
			"Source":      mp.Host,
			"Destination": mp.CleanTarget(),
			"Mode":        mp.MountMode(),
			"RW":          !mp.ReadOnly,
			"Propagation": "",
		}
		switch mp.Type {
		case spec.MountVolume:
			m["Name"] = mp.Name
			m["Driver"] = DriverLocal
		case spec.MountBind:
			m["Propagation"] = "rprivate"
		}
		out = append(out, m)
	}
	return out
}

// HostConfigMounts is inspect's HostConfig Binds (the -v texts) and Mounts
// (the --mount ones).
func HostConfigMounts(ms []spec.Mount) (binds, mounts []any) {
	for _, m := range ms {
		if m.Spec != "" {
			binds = append(binds, m.Spec)
			continue
		}
		mounts = append(mounts, map[string]any{
			"Type": string(m.Type), "Source": m.Source, "Target": m.Target, "ReadOnly": m.ReadOnly,
		})
	}
	return binds, mounts
}

// HostPath maps a path inside a stopped container to the host path of the
// volume or bind mounted there, so files in volumes stay readable (as
// docker cp shows them) when the container's own mounts are gone.
func HostPath(mps []MountPoint, p string) (host, rest string, ok bool) {
	p = path.Clean(p)
	best := -1
	for i, mp := range mps {
		t := mp.CleanTarget()
		if mp.Type == spec.MountTmpfs || !(p == t || strings.HasPrefix(p, t+"/")) {
			continue
		}
		if best < 0 || len(t) > len(mps[best].CleanTarget()) {
			best = i
		}
	}
	if best < 0 {
		return "", "", false
	}
	mp := mps[best]
	return mp.Host, strings.TrimPrefix(p, mp.CleanTarget()), true
}
