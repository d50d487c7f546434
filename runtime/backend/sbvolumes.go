package backend

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"berth/runtime/spec"
)

func (s *sandbox) CreateVolume(ctx context.Context, name string, opts VolumeOptions) (VolumeInfo, error) {
	if name != "" {
		if err := spec.CheckVolumeName(name, 0); err != nil {
			return VolumeInfo{}, err
		}
		if v, err := s.Volume(ctx, name); err == nil {
			return v, nil // docker volume create is idempotent
		} else if !errors.Is(err, ErrNoSuchVolume) {
			return VolumeInfo{}, err
		}
	}
	return s.createVolume(ctx, name, opts)
}

// createVolume makes a new volume: anonymous when name is "".
func (s *sandbox) createVolume(ctx context.Context, name string, opts VolumeOptions) (VolumeInfo, error) {
	what := fmt.Sprintf("create volume %q", name)
	if err := s.checkOpen(what); err != nil {
		return VolumeInfo{}, err
	}
	stored := name
	if name != "" && !opts.Keep {
		stored = s.scopedName(name)
		// The user's name against what is left of the limit, so that the
		// error names the user's value.
		if err := spec.CheckVolumeName(name, len(stored)-len(name)); err != nil {
			return VolumeInfo{}, err
		}
	}
	v, created, err := s.b.CreateVolume(ctx, VolumeSpec{Name: stored, VolumeOptions: opts})
	if err != nil {
		return VolumeInfo{}, fmt.Errorf("create volume %q: %w", name, err)
	}
	if name == "" {
		name = v.StoredName
	}
	v.Name = name
	if !created || opts.Keep {
		return v, nil
	}
	s.mu.Lock()
	closed := s.closed
	if !closed {
		s.volumes[name] = v.StoredName
		s.volumeOrder = append(s.volumeOrder, name)
	}
	s.mu.Unlock()
	if closed {
		// Closed while the volume was made: Close has missed it.
		return VolumeInfo{}, errors.Join(s.closedError(what), s.b.RemoveVolume(context.WithoutCancel(ctx), v.StoredName, name))
	}
	return v, nil
}

func (s *sandbox) Volume(ctx context.Context, name string) (VolumeInfo, error) {
	for sb := s; sb != nil; sb = sb.parent {
		sb.mu.Lock()
		stored, ok := sb.volumes[name]
		sb.mu.Unlock()
		if ok {
			v, err := s.b.Volume(ctx, stored)
			if err != nil {
				return VolumeInfo{}, NoSuchVolume(name)
			}
			v.Name = name
			return v, nil
		}
	}
	if !spec.ValidName(name) {
		// No stored volume has such a name, and it must not reach the
		// store as a path ("../x").
		return VolumeInfo{}, NoSuchVolume(name)
	}
	v, err := s.b.Volume(ctx, name)
	if err != nil {
		return VolumeInfo{}, err
	}
	if !v.Keep && !v.Anonymous {
		// Another run's private volume: not this scenario's to see.
		return VolumeInfo{}, NoSuchVolume(name)
	}
	v.Name = name
	return v, nil
}

func (s *sandbox) Volumes(ctx context.Context) ([]VolumeInfo, error) {
	seen := map[string]VolumeInfo{}
	for sb := s; sb != nil; sb = sb.parent {
		sb.mu.Lock()
		names := slices.Collect(maps.Keys(sb.volumes))
		sb.mu.Unlock()
		for _, name := range names {
			if _, ok := seen[name]; ok {
				continue
			}
			if v, err := s.Volume(ctx, name); err == nil {
				seen[name] = v
			}
		}
	}
	all, err := s.b.ListVolumes(ctx)
	if err != nil {
		return nil, err
	}
	for _, v := range all {
		if _, ok := seen[v.StoredName]; !ok && v.Keep {
			v.Name = v.StoredName
			seen[v.StoredName] = v
		}
	}
	return slices.SortedFunc(maps.Values(seen), func(a, b VolumeInfo) int { return strings.Compare(a.Name, b.Name) }), nil
}

// RemoveVolume refuses a volume in use with Docker's text; force does not
// override that (as in Docker, force only ignores a missing volume).
func (s *sandbox) RemoveVolume(ctx context.Context, name string, force bool) error {
	v, err := s.Volume(ctx, name)
	if err != nil {
		if force && errors.Is(err, ErrNoSuchVolume) {
			return nil
		}
		return err
	}
	if err := s.b.RemoveVolume(ctx, v.StoredName, name); err != nil {
		return err
	}
	for sb := s; sb != nil; sb = sb.parent {
		sb.mu.Lock()
		delete(sb.volumes, name)
		sb.volumeOrder = slices.DeleteFunc(sb.volumeOrder, func(n string) bool { return n == name })
		sb.mu.Unlock()
	}
	return nil
}

// closeVolumes removes the volumes the sandbox created, newest first.
func (s *sandbox) closeVolumes(ctx context.Context) error {
	s.mu.Lock()
	order := slices.Clone(s.volumeOrder)
	s.mu.Unlock()
	var errs []error
	for i := len(order) - 1; i >= 0; i-- {
		if err := s.RemoveVolume(ctx, order[i], true); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
