package engine

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"berth/runtime/spec"
)

// dockerTime formats like Docker's inspect: RFC 3339 with nanoseconds, and
// Go's zero time for "never".
func dockerTime(t time.Time) string {
	if t.IsZero() {
		return "0001-01-01T00:00:00Z"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// strs converts to []any so the document holds only plain values.
func strs(list []string) []any {
	if list == nil {
		return nil
	}
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

func strMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out[k] = m[k]
	}
	return out
}

func throttleList(list []spec.ThrottleDevice) []any {
	out := []any{}
	for _, d := range list {
		out = append(out, map[string]any{"Path": d.Path, "Rate": int64(d.Rate)})
	}
	return out
}

// networkMode is the value Docker shows in HostConfig.NetworkMode.
func (c *Container) networkMode() string {
	if c.spec.Network == "" {
		return "default"
	}
	return c.spec.Network
}

// Inspect returns the container's document with Docker's keys (docker
// inspect). It holds only plain values: strings, int64, bool, lists, maps.
func (c *Container) Inspect() map[string]any {
	st := c.State()
	r := c.spec.Resources
	r.Normalize()
	logCfg := c.spec.Log.Config
	if logCfg == nil {
		logCfg = map[string]string{}
	}
	binds, mounts := c.hostConfigMounts()
	return map[string]any{
		"Id":             c.id,
		"Created":        dockerTime(c.created),
		"Path":           c.args[0],
		"Args":           strs(append([]string{}, c.args[1:]...)),
		"Name":           "/" + c.name,
		"Image":          c.img.ID,
		"Driver":         "overlay2",
		"RestartCount":   int64(0),
		"LogPath":        c.logPath,
		"HostnamePath":   filepath.Join(c.dir, "hostname"),
		"HostsPath":      filepath.Join(c.dir, "hosts"),
		"ResolvConfPath": filepath.Join(c.dir, "resolv.conf"),
		"State": map[string]any{
			"Status":     string(st.Status),
			"Running":    st.Status == StatusRunning,
			"Paused":     false,
			"Restarting": false,
			"OOMKilled":  st.OOMKilled,
			"Dead":       false,
			"Pid":        int64(st.Pid),
			"ExitCode":   int64(st.ExitCode),
			"Error":      st.Error,
			"LogErrors":  st.LogErrors,
			"StartedAt":  dockerTime(st.StartedAt),
			"FinishedAt": dockerTime(st.FinishedAt),
		},
		"Config": map[string]any{
			"Hostname":   c.hostname,
			"Domainname": "",
			"User":       c.spec.User,
			"Env":        strs(append([]string{}, c.spec.Env...)),
			"Cmd":        strs(c.cmd),
			"Entrypoint": strs(c.entry),
			"Image":      c.spec.Image,
			"WorkingDir": c.spec.Workdir,
			"Labels":     strMap(c.spec.Labels),
			"OpenStdin":  c.spec.Stdin != nil,
		},
		"HostConfig": map[string]any{
			"NetworkMode":          c.networkMode(),
			"Binds":                binds,
			"Mounts":               mounts,
			"VolumesFrom":          strs(c.spec.VolumesFrom),
			"Links":                c.net.InspectLinks(),
			"PortBindings":         c.net.PortBindings(),
			"ReadonlyRootfs":       c.spec.ReadOnly,
			"Memory":               r.Memory,
			"MemorySwap":           r.MemorySwap,
			"CpuShares":            r.CPUShares,
			"NanoCpus":             r.NanoCPUs,
			"CpuPeriod":            r.CPUPeriod,
			"CpuQuota":             r.CPUQuota,
			"CpusetCpus":           r.CpusetCpus,
			"PidsLimit":            r.PidsLimit,
			"BlkioDeviceReadBps":   throttleList(r.BlkioRead),
			"BlkioDeviceWriteBps":  throttleList(r.BlkioWrite),
			"BlkioDeviceReadIOps":  throttleList(r.BlkioReadIO),
			"BlkioDeviceWriteIOps": throttleList(r.BlkioWriteIO),
			"LogConfig": map[string]any{
				"Type":   c.spec.Log.DriverName(),
				"Config": strMap(logCfg),
			},
		},
		"NetworkSettings": c.net.Inspect(),
		"Mounts":          inspectMounts(c.mounts),
	}
}

// describe is the container's part of a failure report.
func (c *Container) describe() string {
	st := c.State()
	var b strings.Builder
	fmt.Fprintf(&b, "container %s (%s, image %s): %s", c.name, c.id[:12], c.spec.Image, st.Status)
	if st.Status == StatusExited || st.Error != "" {
		fmt.Fprintf(&b, ", exit code %d", st.ExitCode)
	}
	if st.OOMKilled {
		b.WriteString(", OOM-killed")
	}
	if st.Error != "" {
		fmt.Fprintf(&b, ", error: %s", st.Error)
	}
	b.WriteString("\n")
	b.WriteString(c.lastLines(10))
	b.WriteString("\n")
	return b.String()
}
