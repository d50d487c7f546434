package engine

import (
	"context"
	"path/filepath"

	"berth/runtime/backend"
	"berth/runtime/spec"
	"berth/runtime/volume"
)

// Inspect returns the container's document with Docker's keys (docker
// inspect). It holds only plain values: strings, int64, bool, lists, maps.
func (c *Container) Inspect(ctx context.Context) (map[string]any, error) {
	return map[string]any{
		"Id":              c.id,
		"Created":         backend.DockerTime(c.created),
		"Path":            c.args[0],
		"Args":            backend.StringList(append([]string{}, c.args[1:]...)),
		"Name":            "/" + c.name,
		"Image":           c.img.ID,
		"Driver":          "overlay2",
		"RestartCount":    int64(0),
		"LogPath":         c.logPath,
		"HostnamePath":    filepath.Join(c.dir, "hostname"),
		"HostsPath":       filepath.Join(c.dir, "hosts"),
		"ResolvConfPath":  filepath.Join(c.dir, "resolv.conf"),
		"State":           inspectState(c.State()),
		"Config":          c.inspectConfig(),
		"HostConfig":      c.inspectHostConfig(),
		"NetworkSettings": c.net.Inspect(),
		"Mounts":          volume.InspectMounts(c.mounts),
	}, nil
}

func inspectState(st backend.ContainerState) map[string]any {
	return map[string]any{
		"Status":     string(st.Status),
		"Running":    st.Status == backend.StatusRunning,
		"Paused":     false,
		"Restarting": false,
		"OOMKilled":  st.OOMKilled,
		"Dead":       false,
		"Pid":        int64(st.Pid),
		"ExitCode":   int64(st.ExitCode),
		"Error":      st.Error,
		"LogErrors":  st.LogErrors,
		"StartedAt":  backend.DockerTime(st.StartedAt),
		"FinishedAt": backend.DockerTime(st.FinishedAt),
	}
}

func (c *Container) inspectConfig() map[string]any {
	return c.cfg.InspectConfig(map[string]any{
		"Hostname":   c.hostname,
		"Domainname": "",
		"User":       c.spec.User,
		"Env":        backend.StringList(append([]string{}, c.spec.Env...)),
		"Cmd":        backend.StringList(c.cmd),
		"Entrypoint": backend.StringList(c.entry),
		"Image":      c.spec.Image,
		"WorkingDir": c.spec.Workdir,
		"Labels":     backend.StringMap(c.spec.Labels),
		"OpenStdin":  c.spec.Stdin != nil,
	})
}

func (c *Container) inspectHostConfig() map[string]any {
	r := c.resources()
	r.Normalize()
	binds, mounts := volume.HostConfigMounts(c.spec.Mounts)
	return map[string]any{
		"NetworkMode":          c.networkMode(),
		"Binds":                binds,
		"Mounts":               mounts,
		"VolumesFrom":          backend.StringList(c.spec.VolumesFrom),
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
			"Config": backend.StringMap(c.spec.Log.Config),
		},
	}
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
