package image

import "berth/runtime/backend"

// Info is the image as the seam shows it; its Inspect is the one
// document of docker image inspect.
func (img *Image) Info() backend.ImageInfo {
	return backend.ImageInfo{
		ID: img.ID, RepoTags: img.RepoTags, Created: img.Created, Size: img.Size,
		OS: img.OS(), Architecture: img.Architecture(), Config: img.Config.Info(),
		Layers: img.DiffIDs(),
	}
}

// Info is the run config as the seam shows it.
func (c Config) Info() backend.ImageConfig {
	var hc *backend.Healthcheck
	if c.Healthcheck != nil {
		h := backend.Healthcheck(*c.Healthcheck)
		hc = &h
	}
	return backend.ImageConfig{
		Env: c.Env, Cmd: c.Cmd, Entrypoint: c.Entrypoint, WorkingDir: c.WorkingDir, User: c.User,
		ExposedPorts: c.ExposedPorts, Labels: c.Labels, Volumes: c.Volumes, StopSignal: c.StopSignal,
		Healthcheck: hc,
	}
}
