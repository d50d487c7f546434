package engine

import (
	"context"
	"time"

	"berth/runtime/backend"
	"berth/runtime/container"
)

// Update changes the container's limits (docker update): the patch merged
// into the stored limits and validated as a whole (backend's Merge), then
// applied to a running container at once, and kept for its next start.
// A refused patch changes nothing: libcontainer writes the cgroup files
// one by one and, when one is refused (a memory limit below the current
// usage), writes the previous limits back before it returns the error.
func (c *Container) Update(ctx context.Context, p backend.ResourcesPatch) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, err := p.Merge(c.spec.Resources, c.e.host)
	if err == nil {
		err = container.CheckDevices(r) // also for a stopped container: its next start would fail
	}
	if err != nil {
		return err
	}
	if err := container.CheckBlkioWeights(r, c.e.root); err != nil {
		return err
	}
	if inst := c.liveInst.Load(); inst != nil {
		if err := inst.Update(r); err != nil {
			return err
		}
	}
	c.spec.Resources = r
	return nil
}

// cpuSample is a container's and the host's CPU time at one moment:
// docker stats' CPU % is the ratio of their growth between two samples.
type cpuSample struct {
	container, system uint64
}

// Stats reads the running container's counters (one sample of docker
// stats); a container that is not running has all zeros, as in Docker.
// The CPU % compares with the previous call, or with the start.
func (c *Container) Stats(ctx context.Context) (backend.Stats, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now().UTC()
	inst := c.liveInst.Load()
	if inst == nil {
		return backend.Stats{Read: now}, nil
	}
	s, err := inst.Stats()
	if err != nil {
		return backend.Stats{}, err
	}
	system, err := container.SystemCPUNS()
	if err != nil {
		return backend.Stats{}, err
	}
	limit := s.MemoryLimit
	if limit == 0 || limit > c.e.hostMemory {
		limit = c.e.hostMemory // Docker shows the host's memory when unlimited
	}
	out := backend.Stats{
		Read: now, CPUUsageNS: s.CPUUsageNS, SystemCPUNS: system, OnlineCPUs: uint32(c.e.host.NumCPU),
		PreCPUUsageNS: c.prevCPU.container, PreSystemCPUNS: c.prevCPU.system,
		ThrottledPeriods: s.ThrottledPeriods, ThrottledTimeNS: s.ThrottledTimeNS,
		MemoryUsage: s.MemoryUsage, MemoryLimit: limit, Pids: s.Pids, PidsLimit: s.PidsLimit,
		BlockRead: s.BlockRead, BlockWrite: s.BlockWrite, OOMKills: s.OOMKills,
		Networks: map[string]backend.NetworkStats{},
	}
	for name, n := range s.Networks {
		out.Networks[name] = backend.NetworkStats{RxBytes: n.RxBytes, TxBytes: n.TxBytes, RxPackets: n.RxPackets, TxPackets: n.TxPackets}
	}
	c.prevCPU = cpuSample{container: s.CPUUsageNS, system: system}
	return out, nil
}
