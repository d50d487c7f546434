package volume

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"berth/runtime/backend"
	"berth/runtime/fsroot"
	"berth/runtime/kinderr"
	"berth/runtime/spec"
)

// MountPoint is a mount of a container, resolved to a host path.
type MountPoint struct {
	spec.Mount
	Name   string // volume: the scenario's name for it ("" for others)
	Stored string // volume: the store name
	Host   string // bind and volume: the host path mounted
	// FromContainer is the container it was inherited from (volumes_from).
	FromContainer string
}

// Scope names volumes as the container's sandbox does (backend.Scope's
// methods).
type Scope interface {
	Volume(ctx context.Context, name string) (backend.VolumeInfo, error)
	CreateVolume(ctx context.Context, name string, opts backend.VolumeOptions) (backend.VolumeInfo, error)
	RemoveVolume(ctx context.Context, name string, force bool) error
}

// Resolver turns one container's mounts into host paths.
type Resolver struct {
	Store  *Store
	Scope  Scope
	Rootfs string // the container's root filesystem, copied up from
	Image  string // the image's name, for errors
	// MountsOf finds the container --volumes-from names: its name and its
	// resolved mounts.
	MountsOf func(ref string) (name string, mps []MountPoint, err error)
	// ImageVolumes are Config.Volumes (clean absolute paths): each no
	// other mount covers (the image's VOLUMEs) becomes an anonymous
	// volume, copied up.
	ImageVolumes []string
}

// Resolve turns the container's -v, --mount and --volumes-from into host
// paths: it creates missing -v bind sources and volumes, and fills empty
// volumes from the image (copy-up). It returns the scenario names of the
// volumes it created. On failure, those are removed again and nothing
// else is touched.
func (r *Resolver) Resolve(ctx context.Context, mounts []spec.Mount, volumesFrom []string) (_ []MountPoint, _ []string, retErr error) {
	var created []string
	defer func() {
		if retErr != nil {
			for _, name := range created {
				_ = r.Scope.RemoveVolume(context.WithoutCancel(ctx), name, true)
			}
		}
	}()
	var mps []MountPoint
	own := map[string]bool{}
	for _, m := range mounts {
		own[m.CleanTarget()] = true
	}
	for _, vf := range volumesFrom {
		inherited, err := r.volumesFrom(vf, own)
		if err != nil {
			return nil, nil, err
		}
		mps = append(mps, inherited...)
	}
	mounts = append(slices.Clip(mounts), r.imageVolumeMounts(mps, own)...)
	for _, m := range mounts {
		mp := MountPoint{Mount: m}
		switch m.Type {
		case spec.MountBind:
			if err := prepareBindSource(m); err != nil {
				return nil, nil, err
			}
			mp.Host = m.Source
		case spec.MountVolume:
			v, isNew, err := r.volumeFor(ctx, m.Source)
			if err != nil {
				return nil, nil, err
			}
			if isNew {
				created = append(created, v.Name)
			}
			mp.Name, mp.Stored, mp.Host = v.Name, v.StoredName, v.Mountpoint
			if err := r.copyUp(v, m); err != nil {
				return nil, nil, err
			}
		}
		mps = append(mps, mp)
	}
	// Parents before children, as Docker sorts them: /data before /data/logs.
	slices.SortStableFunc(mps, func(a, b MountPoint) int {
		return strings.Count(a.CleanTarget(), "/") - strings.Count(b.CleanTarget(), "/")
	})
	return mps, created, nil
}

// imageVolumeMounts are the anonymous volumes of the image's VOLUMEs that
// neither the container's own mounts nor the inherited ones cover, as
// Docker makes them.
func (r *Resolver) imageVolumeMounts(inherited []MountPoint, own map[string]bool) []spec.Mount {
	covered := maps.Clone(own)
	for _, mp := range inherited {
		covered[mp.CleanTarget()] = true
	}
	var out []spec.Mount
	for _, target := range r.ImageVolumes {
		if !covered[target] {
			out = append(out, spec.Mount{Type: spec.MountVolume, Target: target})
		}
	}
	return out
}

// volumeFor finds or implicitly creates the volume of a "name:/ctr" or an
// anonymous "/ctr" mount.
func (r *Resolver) volumeFor(ctx context.Context, name string) (v backend.VolumeInfo, isNew bool, err error) {
	if name != "" {
		v, err := r.Scope.Volume(ctx, name)
		if err == nil {
			return v, false, nil
		}
		if !errors.Is(err, backend.ErrNoSuchVolume) {
			return backend.VolumeInfo{}, false, err
		}
	}
	v, err = r.Scope.CreateVolume(ctx, name, backend.VolumeOptions{})
	return v, err == nil, err
}

// copyUp fills an empty volume with what the image has at the mount's
// target, once in the volume's life, as Docker does.
func (r *Resolver) copyUp(v backend.VolumeInfo, m spec.Mount) error {
	root, err := fsroot.Open(r.Rootfs)
	if err != nil {
		return fmt.Errorf("volume %s at %s: %w", v.Name, m.Target, err)
	}
	defer root.Close()
	if err := r.Store.PrepareMount(v.StoredName, root, m.CleanTarget(), m.NoCopy); err != nil {
		return fmt.Errorf("copy %s of image %s into volume %s: %w", m.Target, r.Image, v.Name, err)
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
		return kinderr.Errorf(spec.ErrInvalid, "invalid mount config for type \"bind\": bind source path does not exist: %s", m.Source)
	}
	if err := os.MkdirAll(m.Source, 0o755); err != nil {
		return fmt.Errorf("create bind source %s: %w", m.Source, err)
	}
	return nil
}

// volumesFrom copies the mounts of another container (--volumes-from),
// with ":ro" or ":rw" overriding their modes. Targets the container mounts
// itself win, as in Docker.
func (r *Resolver) volumesFrom(arg string, own map[string]bool) ([]MountPoint, error) {
	ref, mode, err := spec.ParseVolumesFrom(arg)
	if err != nil {
		return nil, err
	}
	name, theirs, err := r.MountsOf(ref)
	if err != nil {
		return nil, err
	}
	var out []MountPoint
	for _, mp := range theirs {
		if mp.Type == spec.MountTmpfs || own[mp.CleanTarget()] {
			continue
		}
		switch mode {
		case "ro":
			mp.ReadOnly = true
		case "rw":
			mp.ReadOnly = false
		}
		mp.FromContainer = name
		out = append(out, mp)
	}
	return out, nil
}
