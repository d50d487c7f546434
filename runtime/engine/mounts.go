package engine

import (
	"context"
	"fmt"

	"berth/runtime/container"
	"berth/runtime/spec"
	"berth/runtime/volume"
)

// resolveMounts resolves the container's mounts (volume.Resolver); it
// returns the scenario names of the volumes it created.
func (c *Container) resolveMounts(ctx context.Context) ([]volume.MountPoint, []string, error) {
	r := volume.Resolver{Store: c.e.volumes, Scope: c.scope, Rootfs: c.rootfs, Image: c.spec.Image,
		MountsOf: c.mountsOf, ImageVolumes: c.cfg.Volumes}
	return r.Resolve(ctx, c.spec.Mounts, c.spec.VolumesFrom)
}

// mountsOf is the name and mounts of the container --volumes-from names.
func (c *Container) mountsOf(ref string) (string, []volume.MountPoint, error) {
	found, err := c.scope.Lookup(ref)
	if err != nil {
		return "", nil, err
	}
	src, ok := found.(*Container)
	if !ok {
		return "", nil, fmt.Errorf("container %s is not the embedded engine's", ref)
	}
	return src.name, src.mounts, nil
}

// runtimeMounts converts the mount points for libcontainer.
func runtimeMounts(mps []volume.MountPoint, cfg *container.Config) {
	for _, mp := range mps {
		switch mp.Type {
		case spec.MountTmpfs:
			cfg.Tmpfs = append(cfg.Tmpfs, container.Tmpfs{Destination: mp.CleanTarget(), Size: mp.Size, Mode: mp.Mode, ReadOnly: mp.ReadOnly})
		default:
			cfg.Binds = append(cfg.Binds, container.Bind{Source: mp.Host, Destination: mp.CleanTarget(), ReadOnly: mp.ReadOnly})
		}
	}
}
