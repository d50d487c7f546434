package engine

import (
	"context"
	"strconv"
	"strings"

	"berth/runtime/backend"
	"berth/runtime/store"
	"berth/runtime/volume"
)

// parseOwnerTag reads the owner tag (store.Owner.String) that marks the
// volumes and networks a process creates. Unlike store.ParseOwner it takes
// a PID of 0 or less as a known owner, one that is not alive.
func parseOwnerTag(s string) (store.Owner, bool) {
	pid, start, ok := strings.Cut(s, ":")
	if !ok {
		return store.Owner{}, false
	}
	p, err1 := strconv.Atoi(pid)
	st, err2 := strconv.ParseUint(start, 10, 64)
	return store.Owner{Pid: p, StartTime: st}, err1 == nil && err2 == nil
}

// CreateVolume creates the store volume vs.Name, or returns the existing
// one (created false); an empty name makes an anonymous volume.
func (e *Engine) CreateVolume(ctx context.Context, vs backend.VolumeSpec) (backend.VolumeInfo, bool, error) {
	v, created, err := e.volumes.Create(vs.Name, volume.CreateOptions{
		Labels: vs.Labels, Keep: vs.Keep, Anonymous: vs.Name == "", Owner: e.owner.String(),
	})
	if err != nil {
		return backend.VolumeInfo{}, false, classify(err)
	}
	return volumeInfo(v), created, nil
}

// Volume finds a store volume by its stored name.
func (e *Engine) Volume(ctx context.Context, name string) (backend.VolumeInfo, error) {
	v, err := e.volumes.Get(name)
	if err != nil {
		return backend.VolumeInfo{}, classify(err)
	}
	return volumeInfo(v), nil
}

// ListVolumes lists every store volume.
func (e *Engine) ListVolumes(ctx context.Context) ([]backend.VolumeInfo, error) {
	all, err := e.volumes.List()
	if err != nil {
		return nil, err
	}
	out := make([]backend.VolumeInfo, 0, len(all))
	for _, v := range all {
		out = append(out, volumeInfo(v))
	}
	return out, nil
}

// RemoveVolume removes a store volume unless a live container, of any
// berth process sharing the root, uses it.
func (e *Engine) RemoveVolume(ctx context.Context, name, shown string) error {
	return classify(e.removeVolume(name, shown))
}

func volumeInfo(v volume.Volume) backend.VolumeInfo {
	return backend.VolumeInfo{
		Name: v.Name, StoredName: v.Name, Driver: v.Driver, Mountpoint: v.Mountpoint,
		CreatedAt: v.CreatedAt, Labels: v.Labels, Scope: v.Scope, Anonymous: v.Anonymous, Keep: v.Keep,
	}
}

// removeVolume removes a store volume unless a live container uses it;
// shown is the name the scenario knows it by, for the message.
func (e *Engine) removeVolume(storeName, shown string) error {
	return e.volumes.RemoveUnused(storeName, shown, e.volumeUses())
}

// Volumes is the root's volume store, for the command line.
func (e *Engine) Volumes() *volume.Store { return e.volumes }

// PruneVolumes removes every volume no live container uses, except the
// private volumes of live runs (berth volume prune). It returns the names
// removed, and a line for each volume whose record is damaged (skipped).
func (e *Engine) PruneVolumes(ctx context.Context) (removed, damaged []string, err error) {
	return e.volumes.Prune(e.volumeUses())
}
