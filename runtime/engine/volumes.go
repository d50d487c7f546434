package engine

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"berth/runtime/spec"
	"berth/runtime/volume"
)

// ErrNoSuchVolume and ErrVolumeInUse classify volume failures.
var (
	ErrNoSuchVolume = volume.ErrNotFound
	ErrVolumeInUse  = volume.ErrInUse
)

// Volume is a volume as a sandbox sees it. A volume the scenario created
// without keep is stored under a name private to its sandbox (so parallel
// files never share one), and Name is the name the scenario chose.
type Volume struct {
	Name  string
	store volume.Volume
}

// Mountpoint is the volume's data directory on the host.
func (v Volume) Mountpoint() string { return v.store.Mountpoint }

// StoreName is the volume's name in the root's volume store.
func (v Volume) StoreName() string { return v.store.Name }

// Inspect returns docker volume inspect's document.
func (v Volume) Inspect() map[string]any {
	doc := v.store.Doc()
	doc.Name = v.Name
	return doc.Inspect()
}

// VolumeOptions are volume create's options.
type VolumeOptions struct {
	Labels map[string]string
	// Keep stores the volume under the name given and leaves it when the
	// run ends, for data that should outlive it (berth volume rm removes it).
	Keep bool
}

// ownerTag marks the volumes this process creates, so GC can tell the
// ones a killed run left from those of a live run.
func (o owner) tag() string { return fmt.Sprintf("%d:%d", o.Pid, o.StartTime) }

func parseOwnerTag(s string) (owner, bool) {
	pid, start, ok := strings.Cut(s, ":")
	if !ok {
		return owner{}, false
	}
	p, err1 := strconv.Atoi(pid)
	st, err2 := strconv.ParseUint(start, 10, 64)
	return owner{Pid: p, StartTime: st}, err1 == nil && err2 == nil
}

// scopedName is the store name of a sandbox's volume called name.
func (s *Sandbox) scopedName(name string) string { return s.token + "_" + name }

// CreateVolume creates a volume, or returns the one the sandbox already
// sees under that name (docker volume create is idempotent).
func (s *Sandbox) CreateVolume(name string, opts VolumeOptions) (Volume, error) {
	if name != "" {
		if err := spec.CheckVolumeName(name, 0); err != nil {
			return Volume{}, err
		}
		if v, err := s.Volume(name); err == nil {
			return v, nil
		} else if !errors.Is(err, volume.ErrNotFound) {
			return Volume{}, err
		}
	}
	v, _, err := s.createVolume(name, opts)
	return v, err
}

// createVolume makes a new volume: anonymous when name is "".
func (s *Sandbox) createVolume(name string, opts VolumeOptions) (Volume, bool, error) {
	if err := s.checkOpen(fmt.Sprintf("create volume %q", name)); err != nil {
		return Volume{}, false, err
	}
	storeName := name
	if name != "" && !opts.Keep {
		storeName = s.scopedName(name)
		// The user's name against what is left of the limit, so that
		// the error names the user's value.
		if err := spec.CheckVolumeName(name, len(storeName)-len(name)); err != nil {
			return Volume{}, false, err
		}
	}
	sv, created, err := s.e.volumes.Create(storeName, volume.CreateOptions{
		Labels: opts.Labels, Keep: opts.Keep, Anonymous: name == "", Owner: s.e.owner.tag(),
	})
	if err != nil {
		return Volume{}, false, fmt.Errorf("create volume %q: %w", name, err)
	}
	if name == "" {
		name = sv.Name
	}
	if created && !opts.Keep {
		s.mu.Lock()
		if s.closed { // closed while the volume was made: Close has missed it
			s.mu.Unlock()
			return Volume{}, false, errors.Join(s.closedError(fmt.Sprintf("create volume %q", name)), s.e.volumes.Remove(sv.Name, nil))
		}
		s.volumes[name] = sv.Name
		s.volumeOrder = append(s.volumeOrder, name)
		s.mu.Unlock()
	}
	return Volume{Name: name, store: sv}, created, nil
}

// Volume finds a volume by the name the scenario knows it by: one its
// sandbox (or the parent) created, else a kept one in the store.
func (s *Sandbox) Volume(name string) (Volume, error) {
	for sb := s; sb != nil; sb = sb.parent {
		sb.mu.Lock()
		storeName, ok := sb.volumes[name]
		sb.mu.Unlock()
		if ok {
			sv, err := s.e.volumes.Get(storeName)
			if err != nil {
				return Volume{}, fmt.Errorf("get %s: %w", name, volume.ErrNotFound)
			}
			return Volume{Name: name, store: sv}, nil
		}
	}
	sv, err := s.e.volumes.Get(name)
	if err != nil {
		return Volume{}, err
	}
	if !sv.Keep && !sv.Anonymous {
		// Another run's private volume: not this scenario's to see.
		return Volume{}, fmt.Errorf("get %s: %w", name, volume.ErrNotFound)
	}
	return Volume{Name: name, store: sv}, nil
}

// Volumes lists the volumes the sandbox sees, sorted by name.
func (s *Sandbox) Volumes() ([]Volume, error) {
	seen := map[string]Volume{}
	for sb := s; sb != nil; sb = sb.parent {
		sb.mu.Lock()
		names := maps.Clone(sb.volumes)
		sb.mu.Unlock()
		for name := range names {
			if _, ok := seen[name]; ok {
				continue
			}
			if v, err := s.Volume(name); err == nil {
				seen[name] = v
			}
		}
	}
	all, err := s.e.volumes.List()
	if err != nil {
		return nil, err
	}
	for _, sv := range all {
		if _, ok := seen[sv.Name]; !ok && sv.Keep {
			seen[sv.Name] = Volume{Name: sv.Name, store: sv}
		}
	}
	return slices.SortedFunc(maps.Values(seen), func(a, b Volume) int { return strings.Compare(a.Name, b.Name) }), nil
}

// RemoveVolume removes a volume (docker volume rm). A volume in use is
// refused with Docker's message; force does not override that (as in
// Docker, force only ignores a missing volume).
func (s *Sandbox) RemoveVolume(name string, force bool) error {
	v, err := s.Volume(name)
	if err != nil {
		if force && errors.Is(err, volume.ErrNotFound) {
			return nil
		}
		return err
	}
	if err := s.e.removeVolume(v.store.Name, name); err != nil {
		return err
	}
	for sb := s; sb != nil; sb = sb.parent {
		sb.forgetVolume(name)
	}
	return nil
}

func (s *Sandbox) forgetVolume(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.volumes, name)
	s.volumeOrder = slices.DeleteFunc(s.volumeOrder, func(n string) bool { return n == name })
}

// removeVolume removes a store volume unless a live container uses it;
// shown is the name the scenario knows it by, for the message.
func (e *Engine) removeVolume(storeName, shown string) error {
	return e.volumes.RemoveUnused(storeName, shown, e.volumeUses())
}

// Volumes is the root's volume store, for the command line.
func (e *Engine) Volumes() *volume.Store { return e.volumes }

// RemoveStoreVolume removes a volume of the store by its stored name
// (berth volume rm), refusing one that a live container uses.
func (e *Engine) RemoveStoreVolume(name string) error { return e.removeVolume(name, name) }

// closeVolumes removes the volumes the sandbox created, newest first.
func (s *Sandbox) closeVolumes() error {
	s.mu.Lock()
	order := slices.Clone(s.volumeOrder)
	s.mu.Unlock()
	var errs []error
	for i := len(order) - 1; i >= 0; i-- {
		if err := s.RemoveVolume(order[i], true); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func newSandboxToken() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "sb" + hex.EncodeToString(b)
}

// mountPoint is a mount of a container, resolved to a host path.
type mountPoint struct {
	spec.Mount
	Name   string // volume: the scenario's name for it ("" for others)
	Stored string // volume: the store name
	Host   string // bind and volume: the host path mounted
	// FromContainer is the container it was inherited from (volumes_from).
	FromContainer string
}

// PruneVolumes removes every volume no live container uses, except the
// private volumes of live runs (berth volume prune). It returns the names
// removed, and a line for each volume whose record is damaged (skipped).
func (e *Engine) PruneVolumes() (removed, damaged []string, err error) {
	return e.volumes.Prune(e.volumeUses())
}
