package fake

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"berth/runtime/backend"
	"berth/runtime/spec"
)

// anonymousLabel marks anonymous volumes, as Docker (23.0 and later) does.
const anonymousLabel = "com.docker.volume.anonymous"

// volRecord is a stored volume.
type volRecord struct {
	info backend.VolumeInfo
}

func (b *Backend) CreateVolume(ctx context.Context, vs backend.VolumeSpec) (backend.VolumeInfo, bool, error) {
	name := vs.Name
	labels := maps.Clone(vs.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	if name == "" {
		buf := make([]byte, 32)
		_, _ = rand.Read(buf)
		name = hex.EncodeToString(buf)
		labels[anonymousLabel] = ""
	}
	if err := spec.CheckVolumeName(name, 0); err != nil {
		return backend.VolumeInfo{}, false, fmt.Errorf("create %s: %w", name, err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if rec, ok := b.volumes[name]; ok {
		return rec.info, false, nil
	}
	info := backend.VolumeInfo{
		Name: name, StoredName: name, Driver: "local", Scope: "local",
		Mountpoint: "/fake/volumes/" + name + "/_data", CreatedAt: time.Now().UTC(),
		Labels: labels, Anonymous: vs.Name == "", Keep: vs.Keep,
	}
	b.volumes[name] = &volRecord{info: info}
	return info, true, nil
}

func (b *Backend) Volume(ctx context.Context, name string) (backend.VolumeInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	rec, ok := b.volumes[name]
	if !ok {
		return backend.VolumeInfo{}, backend.NoSuchVolume(name)
	}
	return rec.info, nil
}

func (b *Backend) ListVolumes(ctx context.Context) ([]backend.VolumeInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []backend.VolumeInfo
	for _, name := range slices.Sorted(maps.Keys(b.volumes)) {
		out = append(out, b.volumes[name].info)
	}
	return out, nil
}

// RemoveVolume refuses a volume that a container not yet removed mounts,
// whatever its state, as the engine does.
func (b *Backend) RemoveVolume(ctx context.Context, name, shown string) error {
	users := b.usersOf(name)
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.volumes[name]; !ok {
		return backend.NoSuchVolume(shown)
	}
	if len(users) > 0 {
		return errorf(backend.ErrVolumeInUse, "remove %s: volume is in use - [%s]", shown, strings.Join(users, ", "))
	}
	delete(b.volumes, name)
	return nil
}

// PruneVolumes removes the kept volumes no container uses. The others
// belong to this process's run, alive by definition, and stay.
func (b *Backend) PruneVolumes(ctx context.Context) (removed, damaged []string, err error) {
	list, _ := b.ListVolumes(ctx)
	for _, v := range list {
		if !v.Keep || len(b.usersOf(v.StoredName)) > 0 {
			continue
		}
		if err := b.RemoveVolume(ctx, v.StoredName, v.StoredName); err != nil {
			return removed, nil, err
		}
		removed = append(removed, v.StoredName)
	}
	return removed, nil, nil
}
