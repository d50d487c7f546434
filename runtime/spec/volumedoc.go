package spec

import "time"

// VolumeDoc is what docker volume inspect shows of a volume. It lives here,
// beside the specs, because the volume store, the backend seam and the
// engine all show volumes and none of them may import the others.
type VolumeDoc struct {
	Name       string
	Driver     string
	Mountpoint string
	CreatedAt  time.Time
	Labels     map[string]string
	Scope      string
}

// Inspect is docker volume inspect's document, the one document for a
// volume wherever it is shown, with plain values only (strings and maps)
// so that any layer can convert it. CreatedAt is in Docker's format: RFC
// 3339 to the second, in UTC ("2026-12-01T05:00:00Z"). Labels is an empty
// object, never null, and Options is null: the local driver takes none.
func (d VolumeDoc) Inspect() map[string]any {
	labels := make(map[string]any, len(d.Labels))
	for k, v := range d.Labels {
		labels[k] = v
	}
	return map[string]any{
		"Name":       d.Name,
		"Driver":     d.Driver,
		"Mountpoint": d.Mountpoint,
		"CreatedAt":  d.CreatedAt.UTC().Format(time.RFC3339),
		"Labels":     labels,
		"Scope":      d.Scope,
		"Options":    nil,
	}
}
