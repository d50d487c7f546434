package backend

import (
	"path/filepath"
	"time"

	"berth/runtime/spec"
)

// ContainerDoc is what docker inspect shows of a container, as plain
// values: an engine gathers them (its networking's and mounts' parts
// already built), Inspect lays them out with Docker's keys.
type ContainerDoc struct {
	ID, Name, ImageID, Hostname string
	Created                     time.Time
	Dir                         string   // holds hostname, hosts and resolv.conf
	LogPath                     string   // the json-file log
	Args                        []string // what runs: the entrypoint, then cmd; not empty
	Entrypoint, Cmd             []string // the effective ones
	Spec                        spec.Container
	State                       ContainerState
	Mounts                      []any           // Mounts
	Binds, HostMounts           []any           // HostConfig.Binds and HostConfig.Mounts
	NetworkSettings             map[string]any  // NetworkSettings
	Links                       []any           // HostConfig.Links
	PortBindings                map[string]any  // HostConfig.PortBindings
	Config                      ContainerConfig // what the image's config added (ExposedPorts, Volumes, …)
}

// Inspect is the document. It holds only plain values: strings, int64,
// bool, lists, maps.
func (d ContainerDoc) Inspect() map[string]any {
	return map[string]any{
		"Id":              d.ID,
		"Created":         DockerTime(d.Created),
		"Path":            d.Args[0],
		"Args":            StringList(append([]string{}, d.Args[1:]...)),
		"Name":            "/" + d.Name,
		"Image":           d.ImageID,
		"Driver":          "overlay2",
		"RestartCount":    int64(0),
		"LogPath":         d.LogPath,
		"HostnamePath":    filepath.Join(d.Dir, "hostname"),
		"HostsPath":       filepath.Join(d.Dir, "hosts"),
		"ResolvConfPath":  filepath.Join(d.Dir, "resolv.conf"),
		"State":           d.State.Inspect(),
		"Config":          d.config(),
		"HostConfig":      d.hostConfig(),
		"NetworkSettings": d.NetworkSettings,
		"Mounts":          d.Mounts,
	}
}

// Inspect is State in docker inspect.
func (st ContainerState) Inspect() map[string]any {
	return map[string]any{
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
		"LogDrops":   st.LogDrops,
		"StartedAt":  DockerTime(st.StartedAt),
		"FinishedAt": DockerTime(st.FinishedAt),
	}
}

func (d ContainerDoc) config() map[string]any {
	return d.Config.InspectConfig(map[string]any{
		"Hostname":   d.Hostname,
		"Domainname": "",
		"User":       d.Spec.User,
		"Env":        StringList(append([]string{}, d.Spec.Env...)),
		"Cmd":        StringList(d.Cmd),
		"Entrypoint": StringList(d.Entrypoint),
		"Image":      d.Spec.Image,
		"WorkingDir": d.Spec.Workdir,
		"Labels":     StringMap(d.Spec.Labels),
		"OpenStdin":  d.Spec.Stdin != nil,
	})
}

func (d ContainerDoc) hostConfig() map[string]any {
	r := d.Spec.Resources
	r.Normalize()
	return map[string]any{
		"NetworkMode":          d.networkMode(),
		"Binds":                d.Binds,
		"Mounts":               d.HostMounts,
		"VolumesFrom":          StringList(d.Spec.VolumesFrom),
		"Links":                d.Links,
		"PortBindings":         d.PortBindings,
		"ReadonlyRootfs":       d.Spec.ReadOnly,
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
			"Type":   d.Spec.Log.DriverName(),
			"Config": StringMap(d.Spec.Log.Config),
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
func (d ContainerDoc) networkMode() string {
	if d.Spec.Network == "" {
		return "default"
	}
	return d.Spec.Network
}
