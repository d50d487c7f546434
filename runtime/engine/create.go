package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"berth/runtime/backend"
	"berth/runtime/containerdir"
	"berth/runtime/image"
	"berth/runtime/logdriver"
	"berth/runtime/network"
	"berth/runtime/volume"
)

// CreateContainer makes a container without starting it (docker create),
// resolving the spec's names through req.Scope.
func (e *Engine) CreateContainer(ctx context.Context, req backend.CreateRequest) (backend.Container, error) {
	c, err := e.create(ctx, req)
	if err != nil {
		return nil, classify(err)
	}
	return c, nil
}

func (e *Engine) create(ctx context.Context, req backend.CreateRequest) (*Container, error) {
	cs := req.Spec
	if err := cs.Validate(e.host); err != nil {
		return nil, err
	}
	if err := e.logs.ValidateOptions(cs.Log.DriverName(), cs.Log.Config); err != nil {
		return nil, err
	}
	img, err := e.images.Get(cs.Image)
	if err != nil {
		return nil, err
	}
	if err := stopped(ctx, "create container"); err != nil {
		return nil, err
	}
	cfg, err := backend.MergeImageConfig(cs, img.Config.Info())
	if err != nil {
		return nil, err
	}
	name, err := req.Scope.ClaimName(cs.Name)
	if err != nil {
		return nil, err
	}
	id := newID()
	cs = cfg.Apply(cs)
	c := &Container{
		e: e, scope: req.Scope, id: id, name: name, created: time.Now().UTC(),
		spec: cs, cfg: cfg, img: img, dir: e.containerDir(id), entry: cfg.Entrypoint, cmd: cfg.Cmd,
		args: append(append([]string(nil), cfg.Entrypoint...), cfg.Cmd...), removeVolumes: req.RemoveVolumes,
		status: backend.StatusCreated,
	}
	c.initLogLoss()
	c.logDrops = &logdriver.Drops{}
	c.dns = e.dns.Hold(req.Scope.Root())
	scope := netScope{scope: req.Scope, ctx: context.WithoutCancel(ctx), e: e, dns: c.dns}
	c.net, err = e.nets.NewContainerNet(scope, network.ContainerConfig{ID: id, Name: name, Dir: c.dir, Spec: cs, Exposed: cfg.ExposedPorts})
	if err != nil {
		e.dns.Release(c.dns)
		return nil, err
	}
	if err := stopped(ctx, "create container "+name); err != nil {
		c.net.Close()
		e.dns.Release(c.dns)
		return nil, err
	}
	c.hostname = c.net.Hostname()
	c.logPath = filepath.Join(c.dir, id+"-json.log")
	if err := e.build(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// build makes what a created container has on the host: its directory and
// record, root filesystem, mounts and /etc files. On failure, or when ctx
// ends between two steps, what the earlier steps made is removed, the
// volumes this create made included.
func (e *Engine) build(ctx context.Context, c *Container) (retErr error) {
	// The record comes with the directory so that GC finds the mount if
	// we die next.
	rec := containerdir.Record{ID: c.id, Name: c.name, Sandbox: c.scope.Label(), Owner: e.owner, Created: c.created}
	if err := e.dirs.Make(rec); err != nil {
		c.net.Close()
		e.dns.Release(c.dns)
		return err
	}
	var madeVolumes []string
	defer func() {
		if retErr != nil {
			c.net.Close()
			e.dns.Release(c.dns)
			c.teardown()
			// At once: the sandbox never sees this container.
			for _, v := range madeVolumes {
				_ = c.scope.RemoveVolume(context.WithoutCancel(ctx), v, true)
			}
		}
	}()
	var err error
	if c.rootfs, err = image.MountRootfs(c.img, c.dir, false); err != nil {
		return fmt.Errorf("container %s: %w", c.name, err)
	}
	what := "create container " + c.name
	if err := stopped(ctx, what); err != nil {
		return err
	}
	if c.mounts, madeVolumes, err = c.resolveMounts(ctx); err != nil {
		return err
	}
	if err := stopped(ctx, what); err != nil {
		return err
	}
	if err := volume.RecordUse(c.dir, volume.StoredNames(c.mounts)); err != nil {
		return err
	}
	return c.net.WriteEtcFiles()
}

// stopped returns an error wrapping ctx's when ctx is done, so that a
// cancelled create, start or remove stops before its next step.
func stopped(ctx context.Context, what string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// newID returns a Docker-style 64-hex id whose 12-char short form is not all
// digits (Docker avoids those so a short id is never read as a number).
func newID() string {
	b := make([]byte, 32)
	for {
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		if strings.Trim(id[:12], "0123456789") != "" {
			return id
		}
	}
}
