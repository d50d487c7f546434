package image

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// CommitSpec is the image Store.Commit makes of a container.
type CommitSpec struct {
	Base         *Image // the container's image
	ContainerDir string // the directory MountRootfs was given: its upper layer is committed
	Config       Config // the new image's run config (the container's, changes applied)
	Tag          string // "" for none
	Author       string
	Comment      string
	CreatedBy    string // the history entry's created_by: the container's command
}

// Commit stores the container's upper layer as a new layer on top of its
// image's layers and installs an image of them with spec.Config (docker
// commit). The layer is packed to a tar in a work directory, hashed (its
// diff-id) and loaded into the layer store like any layer, so the image
// appears whole or not at all. A running container is committed as it
// is, not paused: a file written meanwhile may be caught half-way.
func (s *Store) Commit(spec CommitSpec) (*Image, error) {
	tags := []string{}
	if spec.Tag != "" {
		tag, err := NormalizeRef(spec.Tag)
		if err != nil {
			return nil, err
		}
		tags = append(tags, tag)
	}
	base := spec.Base
	if len(base.Layers) == 0 {
		return nil, fmt.Errorf("commit: image %s has a flat root filesystem (imported, or from an older berth), not layers: load it as a docker save archive to commit on it", shortID(strings.TrimPrefix(base.ID, "sha256:")))
	}
	work, err := os.MkdirTemp(s.dir, s.tmpPrefix+"commit-")
	if err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	defer os.RemoveAll(work)
	diffID, err := packUpper(filepath.Join(layerDir(spec.ContainerDir), upperName), filepath.Join(work, "layer.tar"))
	if err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	baseConfig, err := os.ReadFile(filepath.Join(s.dir, strings.TrimPrefix(base.ID, "sha256:"), configName))
	if err != nil {
		return nil, fmt.Errorf("commit: read image %s: %w", base.ID, err)
	}
	config, err := commitConfig(baseConfig, spec, diffID)
	if err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	archive, err := os.OpenRoot(work)
	if err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	defer archive.Close()
	// The image's own layers are in the store: ensureLayer finds them.
	layers := make([]blobRef, len(base.Layers)+1)
	layers[len(base.Layers)] = blobRef{path: "layer.tar"}
	return s.createLayered(archive, loadSpec{layers: layers, tags: tags}, config)
}

// packUpper writes the layer tar of upper to out and returns its diff-id.
func packUpper(upper, out string) (string, error) {
	f, err := os.Create(out)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if err := writeUpperTar(upper, io.MultiWriter(f, h)); err != nil {
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// commitConfig is the base image's config JSON (every field kept, those
// berth does not know too) with the run config replaced, the new layer's
// diff-id appended and a history entry for it.
func commitConfig(base []byte, spec CommitSpec, diffID string) ([]byte, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(base, &doc); err != nil {
		return nil, fmt.Errorf("parse image config: %w", err)
	}
	var run map[string]any
	if raw, ok := doc["config"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &run); err != nil {
			return nil, fmt.Errorf("parse image config: %w", err)
		}
	}
	if run == nil {
		run = map[string]any{}
	}
	setRunConfig(run, spec.Config)
	var rootfs rootFS
	if err := json.Unmarshal(doc["rootfs"], &rootfs); err != nil {
		return nil, fmt.Errorf("parse image config rootfs: %w", err)
	}
	rootfs.Type = "layers"
	rootfs.DiffIDs = append(rootfs.DiffIDs, diffID)
	var hist []map[string]any
	if raw, ok := doc["history"]; ok {
		if err := json.Unmarshal(raw, &hist); err != nil {
			return nil, fmt.Errorf("parse image config history: %w", err)
		}
	}
	now := time.Now().UTC()
	entry := map[string]any{"created": now}
	for k, v := range map[string]string{"created_by": spec.CreatedBy, "comment": spec.Comment, "author": spec.Author} {
		if v != "" {
			entry[k] = v
		}
	}
	hist = append(hist, entry)
	for k, v := range map[string]any{"config": run, "rootfs": rootfs, "history": hist, "created": now} {
		var err error
		if doc[k], err = json.Marshal(v); err != nil {
			return nil, fmt.Errorf("encode image config: %w", err)
		}
	}
	if spec.Author != "" {
		doc["author"], _ = json.Marshal(spec.Author)
	}
	return json.Marshal(doc)
}

// setRunConfig writes c into a config's "config" object as Docker spells
// it, dropping the keys c leaves unset.
func setRunConfig(run map[string]any, c Config) {
	set := func(key string, v any, empty bool) {
		if empty {
			delete(run, key)
		} else {
			run[key] = v
		}
	}
	set("Env", c.Env, len(c.Env) == 0)
	set("Cmd", c.Cmd, len(c.Cmd) == 0)
	set("Entrypoint", c.Entrypoint, len(c.Entrypoint) == 0)
	set("WorkingDir", c.WorkingDir, c.WorkingDir == "")
	set("User", c.User, c.User == "")
	set("ExposedPorts", setOf(c.ExposedPorts), len(c.ExposedPorts) == 0)
	set("Labels", c.Labels, len(c.Labels) == 0)
	set("Volumes", setOf(c.Volumes), len(c.Volumes) == 0)
	set("StopSignal", c.StopSignal, c.StopSignal == "")
	set("Healthcheck", c.Healthcheck, c.Healthcheck == nil)
}

func setOf(keys []string) map[string]struct{} {
	m := make(map[string]struct{}, len(keys))
	for _, k := range keys {
		m[k] = struct{}{}
	}
	return m
}

// DiffIDs are the image's layers as diff-ids ("sha256:<hex>"), bottom
// first; none for a flat root filesystem.
func (img *Image) DiffIDs() []string {
	ids := make([]string, len(img.Layers))
	for i, l := range img.Layers {
		ids[i] = "sha256:" + filepath.Base(filepath.Dir(l))
	}
	return ids
}
