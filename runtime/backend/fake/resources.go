package fake

import (
	"context"
	"time"

	"berth/runtime/backend"
	"berth/runtime/spec"
)

func (c *Container) Update(ctx context.Context, p backend.ResourcesPatch) error {
	if err := c.gone(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r, err := p.Merge(c.resources, c.b.host.Info())
	if err != nil {
		return err
	}
	c.resources = r
	return nil
}

// Limits are the container's limits now (after Update).
func (c *Container) Limits() spec.Resources {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.resources
}

// SetStats sets what Stats reports while the container runs (Read is
// set when it is read).
func (c *Container) SetStats(s backend.Stats) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats = s
}

func (c *Container) Stats(ctx context.Context) (backend.Stats, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state.Status != backend.StatusRunning {
		return backend.Stats{Read: time.Now().UTC()}, nil // zeros, as Docker shows a stopped container
	}
	s := c.stats
	s.Read = time.Now().UTC()
	return s, nil
}

// Commit makes an image of the container's config with the changes
// applied; the fake has no filesystem to keep.
func (c *Container) Commit(ctx context.Context, ref string, opts backend.CommitOptions) (backend.ImageInfo, error) {
	if err := c.gone(); err != nil {
		return backend.ImageInfo{}, err
	}
	cfg := backend.ImageConfig{
		Env: c.spec.Env, Cmd: c.cmd, Entrypoint: c.entry, WorkingDir: c.spec.Workdir,
		User: c.spec.User, Labels: c.spec.Labels,
		ExposedPorts: c.image.Config.ExposedPorts, Volumes: c.image.Config.Volumes,
	}
	cfg, err := backend.ApplyChanges(cfg, opts.Changes)
	if err != nil {
		return backend.ImageInfo{}, err
	}
	img := backend.ImageInfo{
		Created: time.Now().UTC(), Size: c.image.Size, OS: c.image.OS, Architecture: c.image.Architecture, Config: cfg,
	}
	return c.b.images.add(img, ref)
}
