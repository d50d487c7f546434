package engine

import (
	"context"
	"time"

	"berth/runtime/backend"
	"berth/runtime/container"
)

// Update changes the container's limits (docker update): the patch's
// fields replace the stored ones, the result is validated as at create,
// and a running container gets them at once.
func (c *Container) Update(ctx context.Context, p backend.ResourcesPatch) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := p.Apply(c.spec.Resources)
	if err := r.Validate(c.e.host); err != nil {
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

// Stats reads the running container's cgroup counters (one sample of
// docker stats).
func (c *Container) Stats(ctx context.Context) (backend.Stats, error) {
	c.mu.Lock()
	inst, status := c.liveInst.Load(), c.status
	c.mu.Unlock()
	if inst == nil {
		return backend.Stats{}, backend.NotRunning(c.id, status)
	}
	s, err := inst.Stats()
	if err != nil {
		return backend.Stats{}, err
	}
	return backend.Stats{
		Read: time.Now().UTC(), CPUUsageNS: s.CPUUsageNS, MemoryUsage: s.MemoryUsage,
		MemoryLimit: s.MemoryLimit, Pids: s.Pids,
	}, nil
}
