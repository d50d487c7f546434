package engine

import (
	"berth/runtime/container"
	"berth/runtime/logdriver"
)

// processSpec builds the main process from the container's config.
func (c *Container) processSpec() (*container.Process, error) {
	return c.newProcess(c.spec.User, c.args, nil, "", c.spec.Stdin)
}

// newProcess builds a process of the container (container.NewProcess):
// env goes over the container's variables; an empty workdir is the
// container's, created when missing. The spec's user, env and workdir
// include the image's (backend.MergeImageConfig).
func (c *Container) newProcess(userSpec string, args, env []string, workdir string, stdin *string) (*container.Process, error) {
	return container.NewProcess(container.ProcessOptions{
		Rootfs: c.rootfs, Name: c.name, Hostname: c.hostname, Args: args, User: userSpec,
		LinkEnv: c.linkEnv, Env: c.spec.Env, ExtraEnv: env,
		Workdir: workdir, DefaultWorkdir: c.spec.Workdir, Stdin: stdin,
	})
}

func (c *Container) logInfo() logdriver.Info {
	return logdriver.Info{
		ContainerID:   c.id,
		ContainerName: "/" + c.name,
		ImageName:     c.spec.Image,
		ImageID:       c.img.ID,
		Hostname:      c.hostname,
		DaemonName:    "berth",
		Config:        c.spec.Log.Config,
		LogPath:       c.logPath,
		Env:           c.spec.Env,
		Labels:        c.spec.Labels,
		Drops:         c.logDrops,
	}
}
