package image

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"berth/runtime/store"
)

// createLayered installs one loaded image: each layer goes into the layer
// store (once, shared by every image that uses it), then the image
// directory (config and the list of its layers) is renamed into place. On
// failure the layers this call made and no image uses are removed again.
func (s *Store) createLayered(archive *os.Root, spec loadSpec, config []byte) (img *Image, err error) {
	name := imageName(spec.tags, config)
	cf, err := v1.ParseConfigFile(strings.NewReader(string(config)))
	if err != nil {
		return nil, fmt.Errorf("image %s: parse config: %w", name, err)
	}
	diffIDs := cf.RootFS.DiffIDs
	if len(diffIDs) != len(spec.layers) {
		return nil, fmt.Errorf("image %s: the config lists %d layers (rootfs.diff_ids), the manifest %d", name, len(diffIDs), len(spec.layers))
	}
	created := false
	defer func() {
		if err != nil && created {
			if cerr := s.withRepos(func(map[string]string) (bool, error) { return false, s.removeUnusedLayers() }); cerr != nil {
				err = errors.Join(err, cerr)
			}
		}
	}()
	// Registered after the clean-up above, so released before it runs;
	// released early once the installed image lists the layers.
	lock, err := store.RLockFile(filepath.Join(s.dir, layersLock))
	if err != nil {
		return nil, fmt.Errorf("image %s: lock layers: %w", name, err)
	}
	unlock := sync.OnceFunc(func() { lock.Unlock() })
	defer unlock()
	m := meta{Layers: make([]string, len(diffIDs))}
	for i, d := range diffIDs {
		if d.Algorithm != "sha256" {
			return nil, fmt.Errorf("image %s: layer %d: unsupported diff-id %s (want sha256)", name, i+1, d)
		}
		size, made, err := s.ensureLayer(archive, layerRef{blob: spec.layers[i], diffID: d, mediaType: spec.layers[i].mediaType})
		created = created || made
		if err != nil {
			return nil, fmt.Errorf("image %s: layer %d (%s, %s): %w", name, i+1, spec.layers[i].path, d, err)
		}
		m.Layers[i] = d.Hex
		m.Size += size
	}
	work, err := os.MkdirTemp(s.dir, s.tmpPrefix+"build-")
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(work)
		}
	}()
	if err := os.WriteFile(filepath.Join(work, configName), config, 0o644); err != nil {
		return nil, fmt.Errorf("image %s: %w", name, err)
	}
	if err := store.WriteJSON(filepath.Join(work, metaName), m); err != nil {
		return nil, fmt.Errorf("image %s: %w", name, err)
	}
	hex := strings.TrimPrefix(configID(config), "sha256:")
	if err := s.installLayered(work, hex, spec.tags, unlock); err != nil {
		return nil, fmt.Errorf("image %s: %w", name, err)
	}
	repos, err := s.readRepos()
	if err != nil {
		return nil, err
	}
	return s.load(hex, repos, hex)
}

// imageName names an image in errors: its first tag, else its short ID.
func imageName(tags []string, config []byte) string {
	if len(tags) > 0 {
		return tags[0]
	}
	return shortID(strings.TrimPrefix(configID(config), "sha256:"))
}

// lowerDirs returns the image's read-only layers for an overlay, top
// first: its layers in the layer store, or the flat root filesystem of an
// image from an older berth.
func (img *Image) lowerDirs() []string {
	if len(img.Layers) == 0 {
		return []string{img.RootDir}
	}
	dirs := make([]string, len(img.Layers))
	for i, l := range img.Layers {
		dirs[len(img.Layers)-1-i] = l
	}
	return dirs
}

func (s *Store) layerPaths(hexIDs []string) []string {
	if len(hexIDs) == 0 {
		return nil
	}
	dirs := make([]string, len(hexIDs))
	for i, h := range hexIDs {
		dirs[i] = s.layerPath(h)
	}
	return dirs
}

// imageInUse reports whether a mounted overlay has exactly image hex's
// layers as its lower layers, in any berth process sharing this mount
// namespace. (A layer shared with another image that is running stays in
// the store through removeUnusedLayers.)
func (s *Store) imageInUse(hex string) (bool, error) {
	var m meta
	if err := store.ReadJSON(filepath.Join(s.dir, hex, metaName), &m); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return false, nil
		}
		return false, fmt.Errorf("read image %s: %w", shortID(hex), err)
	}
	if len(m.Layers) > 0 && s.stackKeptByAnother(hex, m.Layers) {
		// Another image lists the same layers (a tag pushed and pulled
		// back, a commit with no change): removing this one frees none.
		return false, nil
	}
	img := Image{RootDir: filepath.Join(s.dir, hex, rootfsName), Layers: s.layerPaths(m.Layers)}
	want := img.lowerDirs()
	stacks, err := mountedStacks()
	if err != nil {
		return false, err
	}
	for _, st := range stacks {
		if len(m.Layers) == 0 && slices.Contains(st, want[0]) || slices.Equal(st, want) {
			return true, nil
		}
	}
	return false, nil
}

// stackKeptByAnother reports whether a stored image other than hex lists
// exactly the layers layers.
func (s *Store) stackKeptByAnother(hex string, layers []string) bool {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if e.Name() == hex || !e.IsDir() || len(e.Name()) != 64 || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		var other meta
		if store.ReadJSON(filepath.Join(s.dir, e.Name(), metaName), &other) == nil && slices.Equal(other.Layers, layers) {
			return true
		}
	}
	return false
}

// flatRoot is the flat root filesystem of an image without layers
// (imported, or loaded by an older berth), "" for a layered image.
func flatRoot(imageDir string, m meta) string {
	if len(m.Layers) > 0 {
		return ""
	}
	return filepath.Join(imageDir, rootfsName)
}

// installLayered is install for a layered image: it also releases the
// layers lock (unlock) under the repositories lock, once the image is in
// place, so a layer freeing cannot come between and the image's own
// moved tags can free their old images' layers.
func (s *Store) installLayered(work, hex string, tags []string, unlock func()) error {
	return s.installThen(work, hex, tags, unlock)
}
