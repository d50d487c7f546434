package engine

import (
	"context"
	"strings"

	"berth/runtime/backend"
	"berth/runtime/image"
)

// Commit stores the container's upper layer as a new image layer over its
// image's, with the container's config and opts.Changes applied (docker
// commit). Unlike Docker, a running container is not paused: it is
// committed as it is, so a file it writes meanwhile may be caught
// half-way, or fail the commit when its size changes under it.
func (c *Container) Commit(ctx context.Context, ref string, opts backend.CommitOptions) (backend.ImageInfo, error) {
	if st := c.State(); st.Status == backend.StatusRemoving || st.Status == backend.StatusRemoved {
		return backend.ImageInfo{}, errorf(backend.ErrNoSuchContainer, "No such container: %s (it was removed)", c.name)
	}
	c.mu.Lock()
	cc := c.cfg
	c.mu.Unlock()
	cfg, err := backend.ApplyChanges(backend.ImageConfig{
		Env: cc.Env, Cmd: cc.Cmd, Entrypoint: cc.Entrypoint, WorkingDir: cc.WorkingDir, User: cc.User,
		ExposedPorts: cc.ExposedPorts, Labels: cc.Labels, Volumes: cc.Volumes, StopSignal: cc.StopSignal,
		Healthcheck: cc.Healthcheck,
	}, opts.Changes)
	if err != nil {
		return backend.ImageInfo{}, err
	}
	img, err := c.e.images.Commit(image.CommitSpec{
		Base: c.img, ContainerDir: c.dir, Config: storeConfig(cfg), Tag: ref,
		Author: opts.Author, Comment: opts.Message, CreatedBy: strings.Join(c.args, " "),
	})
	if err != nil {
		return backend.ImageInfo{}, classify(err)
	}
	return img.Info(), nil
}

// storeConfig is imageConfig's inverse.
func storeConfig(c backend.ImageConfig) image.Config {
	var hc *image.Healthcheck
	if c.Healthcheck != nil {
		h := image.Healthcheck(*c.Healthcheck)
		hc = &h
	}
	return image.Config{
		Env: c.Env, Cmd: c.Cmd, Entrypoint: c.Entrypoint, WorkingDir: c.WorkingDir, User: c.User,
		ExposedPorts: c.ExposedPorts, Labels: c.Labels, Volumes: c.Volumes, StopSignal: c.StopSignal,
		Healthcheck: hc,
	}
}
