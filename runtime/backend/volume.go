package backend

import (
	"context"
	"time"

	"berth/runtime/spec"
)

// VolumeStore is a backend's volumes, by the names they are stored under.
// The sandbox gives scenario volumes private names and keeps the map from
// the scenario's names.
type VolumeStore interface {
	// CreateVolume creates the volume vs.Name, or returns the existing one
	// with created false (docker volume create is idempotent). An empty
	// name creates an anonymous volume with a fresh 64-hex name.
	CreateVolume(ctx context.Context, vs VolumeSpec) (v VolumeInfo, created bool, err error)
	// Volume finds a volume by stored name (NoSuchVolume). The
	// VolumeInfo's Name is the stored name: the sandbox renames it.
	Volume(ctx context.Context, name string) (VolumeInfo, error)
	// ListVolumes lists every stored volume (berth volume ls).
	ListVolumes(ctx context.Context) ([]VolumeInfo, error)
	// RemoveVolume removes the stored volume name, refused with Docker's
	// text (ErrVolumeInUse) while a live container, of any berth process
	// sharing the backend, mounts it. Messages name it shown, the
	// scenario's name.
	RemoveVolume(ctx context.Context, name, shown string) error
	// PruneVolumes removes every volume no container uses, except the
	// private volumes of runs still alive (berth volume prune). It
	// returns the names removed, and a line for each volume whose record
	// is damaged (skipped).
	PruneVolumes(ctx context.Context) (removed, damaged []string, err error)
}

// VolumeOptions are volume create's options.
type VolumeOptions struct {
	Labels map[string]string
	// Keep stores the volume under the name given and leaves it when the
	// run ends, for data that should outlive it (berth volume rm removes
	// it).
	Keep bool
}

// VolumeSpec is a volume for the backend to create.
type VolumeSpec struct {
	Name string // the stored name; "" for an anonymous volume
	VolumeOptions
}

// VolumeInfo is a volume as the scenario sees it.
type VolumeInfo struct {
	// Name is the scenario's name for it; StoredName the backend's (the
	// same for kept and anonymous volumes).
	Name       string
	StoredName string
	Driver     string // "local"
	Mountpoint string // the directory mounted into containers
	CreatedAt  time.Time
	Labels     map[string]string
	Scope      string // "local"
	// Anonymous volumes were made for a "/path" mount: rm -v and --rm
	// remove them, never named ones.
	Anonymous bool
	Keep      bool
}

// Inspect is docker volume inspect's document, the one document for a
// volume wherever it is shown (builtins and berth volume inspect).
// CreatedAt is in Docker's format, RFC 3339 to the second in UTC.
func (v VolumeInfo) Inspect() map[string]any {
	return spec.VolumeDoc{Name: v.Name, Driver: v.Driver, Mountpoint: v.Mountpoint,
		CreatedAt: v.CreatedAt, Labels: v.Labels, Scope: v.Scope}.Inspect()
}
