package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"

	"berth/runtime/backend"
	"berth/runtime/container"
	"berth/runtime/fsroot"
	"berth/runtime/spec"
)

// resolveMounts turns the container's -v, --mount and --volumes-from into
// host paths: it creates missing -v bind sources and volumes, and fills
// empty volumes from the image (copy-up). It returns the scenario names of
// the volumes it created. On failure, those are removed again and nothing
// else is touched.
func (c *Container) resolveMounts(ctx context.Context) (_ []mountPoint, _ []string, retErr error) {
	var created []string
	defer func() {
		if retErr != nil {
			for _, name := range created {
				_ = c.scope.RemoveVolume(context.WithoutCancel(ctx), name, true)
			}
		}
	}()
	var mps []mountPoint
	own := map[string]bool{}
	for _, m := range c.spec.Mounts {
		own[m.CleanTarget()] = true
	}
	for _, vf := range c.spec.VolumesFrom {
		inherited, err := c.volumesFrom(vf, own)
		if err != nil {
			return nil, nil, err
		}
		mps = append(mps, inherited...)
	}
	for _, m := range c.spec.Mounts {
		mp := mountPoint{Mount: m}
		switch m.Type {
		case spec.MountBind:
			if err := prepareBindSource(m); err != nil {
				return nil, nil, err
			}
			mp.Host = m.Source
		case spec.MountVolume:
			v, isNew, err := c.volumeFor(ctx, m.Source)
			if err != nil {
				return nil, nil, err
			}
			if isNew {
				created = append(created, v.Name)
			}
			mp.Name, mp.Stored, mp.Host = v.Name, v.StoredName, v.Mountpoint
			if err := c.copyUp(v, m); err != nil {
				return nil, nil, err
			}
		}
		mps = append(mps, mp)
	}
	// Parents before children, as Docker sorts them: /data before /data/logs.
	slices.SortStableFunc(mps, func(a, b mountPoint) int {
		return strings.Count(a.CleanTarget(), "/") - strings.Count(b.CleanTarget(), "/")
	})
	return mps, created, nil
}

// volumeFor finds or implicitly creates the volume of a "name:/ctr" or an
// anonymous "/ctr" mount.
func (c *Container) volumeFor(ctx context.Context, name string) (v backend.VolumeInfo, isNew bool, err error) {
	if name != "" {
		v, err := c.scope.Volume(ctx, name)
		if err == nil {
			return v, false, nil
		}
		if !errors.Is(err, backend.ErrNoSuchVolume) {
			return backend.VolumeInfo{}, false, err
		}
	}
	v, err = c.scope.CreateVolume(ctx, name, backend.VolumeOptions{})
	return v, err == nil, err
}

// copyUp fills an empty volume with what the image has at the mount's
// target, once in the volume's life, as Docker does.
func (c *Container) copyUp(v backend.VolumeInfo, m spec.Mount) error {
	root, err := fsroot.Open(c.rootfs)
	if err != nil {
		return fmt.Errorf("volume %s at %s: %w", v.Name, m.Target, err)
	}
	defer root.Close()
	if err := c.e.volumes.PrepareMount(v.StoredName, root, m.CleanTarget(), m.NoCopy); err != nil {
		return fmt.Errorf("copy %s of image %s into volume %s: %w", m.Target, c.spec.Image, v.Name, err)
	}
	return nil
}

// prepareBindSource applies -v's rule (create a missing host directory,
// root:root 0755) or --mount's (refuse it).
func prepareBindSource(m spec.Mount) error {
	_, err := os.Stat(m.Source)
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("bind source %s: %w", m.Source, err)
	case !m.CreateSource:
		return errorf(spec.ErrInvalid, "invalid mount config for type \"bind\": bind source path does not exist: %s", m.Source)
	}
	if err := os.MkdirAll(m.Source, 0o755); err != nil {
		return fmt.Errorf("create bind source %s: %w", m.Source, err)
	}
	return nil
}

// volumesFrom copies the mounts of another container (--volumes-from),
// with ":ro" or ":rw" overriding their modes. Targets the container mounts
// itself win, as in Docker.
func (c *Container) volumesFrom(arg string, own map[string]bool) ([]mountPoint, error) {
	name, mode, err := spec.ParseVolumesFrom(arg)
	if err != nil {
		return nil, err
	}
	found, err := c.scope.Lookup(name)
	if err != nil {
		return nil, err
	}
	src, ok := found.(*Container)
	if !ok {
		return nil, fmt.Errorf("container %s is not the embedded engine's", name)
	}
	var out []mountPoint
	for _, mp := range src.mounts {
		if mp.Type == spec.MountTmpfs || own[mp.CleanTarget()] {
			continue
		}
		switch mode {
		case "ro":
			mp.ReadOnly = true
		case "rw":
			mp.ReadOnly = false
		}
		mp.FromContainer = src.name
		out = append(out, mp)
	}
	return out, nil
}

// volumeNames lists the store names of the volumes the container mounts.
func volumeNames(mps []mountPoint) []string {
	var names []string
	for _, mp := range mps {
		if mp.Type == spec.MountVolume && !slices.Contains(names, mp.Stored) {
			names = append(names, mp.Stored)
		}
	}
	return names
}

// runtimeMounts converts the mount points for libcontainer.
func runtimeMounts(mps []mountPoint, cfg *container.Config) {
	for _, mp := range mps {
		switch mp.Type {
		case spec.MountTmpfs:
			cfg.Tmpfs = append(cfg.Tmpfs, container.Tmpfs{Destination: mp.CleanTarget(), Size: mp.Size, Mode: mp.Mode, ReadOnly: mp.ReadOnly})
		default:
			cfg.Binds = append(cfg.Binds, container.Bind{Source: mp.Host, Destination: mp.CleanTarget(), ReadOnly: mp.ReadOnly})
		}
	}
}

// inspectMounts is inspect's Mounts list.
func inspectMounts(mps []mountPoint) []any {
	out := []any{}
	for _, mp := range mps {
		m := map[string]any{
			"Type":        string(mp.Type),
			"Source":      mp.Host,
			"Destination": mp.CleanTarget(),
			"Mode":        mp.MountMode(),
			"RW":          !mp.ReadOnly,
			"Propagation": "",
		}
		switch mp.Type {
		case spec.MountVolume:
			m["Name"] = mp.Name
			m["Driver"] = "local"
		case spec.MountBind:
			m["Propagation"] = "rprivate"
		}
		out = append(out, m)
	}
	return out
}

// hostConfigMounts is HostConfig's Binds (the -v texts) and Mounts (the
// --mount ones).
func (c *Container) hostConfigMounts() (binds, mounts []any) {
	for _, m := range c.spec.Mounts {
		if m.Spec != "" {
			binds = append(binds, m.Spec)
			continue
		}
		mounts = append(mounts, map[string]any{
			"Type": string(m.Type), "Source": m.Source, "Target": m.Target, "ReadOnly": m.ReadOnly,
		})
	}
	return binds, mounts
}

// mountedHostPath maps a path inside a stopped container to the host path
// of the volume or bind mounted there, so files in volumes stay readable
// (as docker cp shows them) when the container's own mounts are gone.
func (c *Container) mountedHostPath(p string) (host, rest string, ok bool) {
	p = path.Clean(p)
	best := -1
	for i, mp := range c.mounts {
		t := mp.CleanTarget()
		if mp.Type == spec.MountTmpfs || !(p == t || strings.HasPrefix(p, t+"/")) {
			continue
		}
		if best < 0 || len(t) > len(c.mounts[best].CleanTarget()) {
			best = i
		}
	}
	if best < 0 {
		return "", "", false
	}
	mp := c.mounts[best]
	return mp.Host, strings.TrimPrefix(p, mp.CleanTarget()), true
}
