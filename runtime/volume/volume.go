package volume

import (
	"maps"
	"time"

	"berth/runtime/spec"
)

const (
	// DriverLocal is the only driver: the volume is a directory on this host.
	DriverLocal = "local"
	// ScopeLocal is Docker's scope of a local volume.
	ScopeLocal = "local"
	// AnonymousLabel marks anonymous volumes, as Docker (23.0 and later) does.
	AnonymousLabel = "com.docker.volume.anonymous"
)

// Volume is one named volume as the store knows it.
type Volume struct {
	Name       string
	Driver     string // always DriverLocal
	Mountpoint string // the host directory mounted into containers (<dir>/<name>/_data)
	CreatedAt  time.Time
	Labels     map[string]string
	Scope      string // always ScopeLocal
	// Anonymous volumes were created without a name (-v /ctr); rm -v and
	// --rm remove them, never named ones.
	Anonymous bool
	// Keep marks a volume meant to outlive the run that created it.
	Keep bool
	// Owner is the engine's opaque tag of who created the volume (its
	// sandbox), so that the owner can remove its volumes when it ends.
	Owner string
	// CopiedUp is set once the volume has had its one chance of copy-up:
	// it was filled from an image, or found with content of its own.
	CopiedUp bool
}

// Inspect returns the volume as docker volume inspect shows it (see
// spec.VolumeDoc).
func (v Volume) Inspect() map[string]any { return v.Doc().Inspect() }

// Doc is the volume's inspect document, under its stored name.
func (v Volume) Doc() spec.VolumeDoc {
	return spec.VolumeDoc{Name: v.Name, Driver: v.Driver, Mountpoint: v.Mountpoint,
		CreatedAt: v.CreatedAt, Labels: v.Labels, Scope: v.Scope}
}

// record is volume.json. Mountpoint, driver and scope are not stored: they
// follow from where the store is and what it supports.
type record struct {
	Name      string            `json:"name"`
	CreatedAt time.Time         `json:"created_at"`
	Labels    map[string]string `json:"labels,omitempty"`
	Anonymous bool              `json:"anonymous,omitempty"`
	Keep      bool              `json:"keep,omitempty"`
	Owner     string            `json:"owner,omitempty"`
	CopiedUp  bool              `json:"copied_up,omitempty"`
}

func (r record) volume(mountpoint string) Volume {
	labels := maps.Clone(r.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	return Volume{
		Name:       r.Name,
		Driver:     DriverLocal,
		Mountpoint: mountpoint,
		CreatedAt:  r.CreatedAt,
		Labels:     labels,
		Scope:      ScopeLocal,
		Anonymous:  r.Anonymous,
		Keep:       r.Keep,
		Owner:      r.Owner,
		CopiedUp:   r.CopiedUp,
	}
}
