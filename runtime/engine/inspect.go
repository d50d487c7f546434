package engine

import (
	"context"

	"berth/runtime/backend"
	"berth/runtime/volume"
)

// Inspect returns the container's document with Docker's keys (docker
// inspect), gathered from the container, its networking and its mounts.
func (c *Container) Inspect(ctx context.Context) (map[string]any, error) {
	c.mu.Lock()
	sp := c.spec // Update changes its resources under mu
	c.mu.Unlock()
	binds, mounts := volume.HostConfigMounts(sp.Mounts)
	return backend.ContainerDoc{
		ID: c.id, Name: c.name, ImageID: c.img.ID, Hostname: c.hostname, Created: c.created,
		Dir: c.dir, LogPath: c.logPath, Args: c.args, Entrypoint: c.entry, Cmd: c.cmd,
		Spec: sp, State: c.State(), Mounts: volume.InspectMounts(c.mounts),
		Binds: binds, HostMounts: mounts, NetworkSettings: c.net.Inspect(),
		Links: c.net.InspectLinks(), PortBindings: c.net.PortBindings(), Config: c.cfg,
	}.Inspect(), nil
}
