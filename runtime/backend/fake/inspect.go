package fake

import (
	"context"
	"strconv"

	"berth/runtime/backend"
	"berth/runtime/spec"
)

// Inspect has the keys the builtins and the contract use, with the
// engine's shapes; paths on the host are made up.
func (c *Container) Inspect(ctx context.Context) (map[string]any, error) {
	if err := c.gone(); err != nil {
		return nil, err
	}
	st := c.State()
	c.mu.Lock()
	r := c.resources
	c.mu.Unlock()
	r.Normalize()
	logCfg := c.spec.Log.Config
	return map[string]any{
		"Id":      c.id,
		"Created": backend.DockerTime(c.created),
		"Path":    c.args[0],
		"Args":    backend.StringList(append([]string{}, c.args[1:]...)),
		"Name":    "/" + c.name,
		"Image":   c.image.ID,
		"LogPath": "/fake/containers/" + c.id + "/" + c.id + "-json.log",
		"State": map[string]any{
			"Status": string(st.Status), "Running": st.Status == backend.StatusRunning,
			"Paused": false, "Restarting": false, "OOMKilled": st.OOMKilled, "Dead": false,
			"Pid": int64(st.Pid), "ExitCode": int64(st.ExitCode), "Error": st.Error,
			"StartedAt": backend.DockerTime(st.StartedAt), "FinishedAt": backend.DockerTime(st.FinishedAt),
		},
		"Config": c.cfg.InspectConfig(map[string]any{
			"Hostname": c.hostname, "Domainname": "", "User": c.spec.User,
			"Env": backend.StringList(append([]string{}, c.spec.Env...)), "Cmd": backend.StringList(c.cmd),
			"Entrypoint": backend.StringList(c.entry), "Image": c.spec.Image, "WorkingDir": c.spec.Workdir,
			"Labels": backend.StringMap(c.spec.Labels), "OpenStdin": c.spec.Stdin != nil,
		}),
		"HostConfig": map[string]any{
			"NetworkMode": networkMode(c.spec.Network), "Binds": c.binds(),
			"VolumesFrom": backend.StringList(c.spec.VolumesFrom), "ReadonlyRootfs": c.spec.ReadOnly,
			"Memory": r.Memory, "MemorySwap": r.MemorySwap, "CpuShares": r.CPUShares, "NanoCpus": r.NanoCPUs,
			"CpuPeriod": r.CPUPeriod, "CpuQuota": r.CPUQuota, "CpusetCpus": r.CpusetCpus, "PidsLimit": r.PidsLimit,
			"MemoryReservation": r.MemoryReservation, "CpusetMems": r.CpusetMems,
			"BlkioDeviceReadBps": throttles(r.BlkioRead), "BlkioDeviceWriteBps": throttles(r.BlkioWrite),
			"BlkioDeviceReadIOps": throttles(r.BlkioReadIO), "BlkioDeviceWriteIOps": throttles(r.BlkioWriteIO),
			"LogConfig": map[string]any{"Type": c.spec.Log.DriverName(), "Config": backend.StringMap(logCfg)},
		},
		"NetworkSettings": c.networkSettings(),
		"Mounts":          c.inspectMounts(),
	}, nil
}

func networkMode(mode string) string {
	if mode == "" {
		return "default"
	}
	return mode
}

func throttles(list []spec.ThrottleDevice) []any {
	out := []any{}
	for _, d := range list {
		out = append(out, map[string]any{"Path": d.Path, "Rate": int64(d.Rate)})
	}
	return out
}

func (c *Container) binds() []any {
	var out []any
	for _, m := range c.spec.Mounts {
		if m.Spec != "" {
			out = append(out, m.Spec)
		}
	}
	return out
}

func (c *Container) inspectMounts() []any {
	out := []any{}
	for _, m := range c.mounts {
		doc := map[string]any{
			"Type": string(m.Type), "Source": m.Source, "Destination": m.CleanTarget(),
			"Mode": m.MountMode(), "RW": !m.ReadOnly, "Propagation": "",
		}
		switch m.Type {
		case spec.MountVolume:
			doc["Name"], doc["Driver"] = m.Name, "local"
			doc["Source"] = "/fake/volumes/" + m.Stored + "/_data"
		case spec.MountBind:
			doc["Propagation"] = "rprivate"
		}
		out = append(out, doc)
	}
	return out
}

func (c *Container) networkSettings() map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	nets := map[string]any{}
	settings := map[string]any{"Networks": nets, "IPAddress": "", "Gateway": "", "MacAddress": "", "IPPrefixLen": int64(0)}
	for _, a := range c.nets {
		doc := map[string]any{
			"NetworkID": a.net.ID, "EndpointID": "", "IPAddress": "", "IPPrefixLen": int64(0),
			"Gateway": "", "MacAddress": "", "Aliases": backend.StringList(a.aliases),
		}
		if a.addr.IsValid() {
			doc["EndpointID"] = backend.EndpointID(a.net.ID, c.id)
			doc["IPAddress"], doc["IPPrefixLen"] = a.addr.String(), int64(a.prefix)
			doc["Gateway"], doc["MacAddress"] = a.net.Gateway, mac(a.addr)
		}
		if a.net.User() {
			doc["Aliases"] = backend.StringList(append(append([]string{}, a.aliases...), c.id[:12]))
		}
		nets[a.net.Name] = doc
		if a.net.Name == backend.NetworkBridge {
			for _, k := range []string{"IPAddress", "Gateway", "MacAddress", "IPPrefixLen"} {
				settings[k] = doc[k]
			}
		}
	}
	if c.netMode == netHost || c.netMode == netNone {
		nets[c.spec.Network] = map[string]any{"NetworkID": c.spec.Network, "IPAddress": "", "Gateway": "", "MacAddress": "", "Aliases": nil}
	}
	ports := map[string]any{}
	for _, m := range c.ports {
		host := "0.0.0.0"
		if m.HostIP.IsValid() {
			host = m.HostIP.String()
		}
		list, _ := ports[m.Key()].([]any)
		ports[m.Key()] = append(list, map[string]any{"HostIp": host, "HostPort": strconv.Itoa(int(m.HostPort))})
	}
	settings["Ports"] = ports
	return settings
}
