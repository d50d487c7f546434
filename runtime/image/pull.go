package image

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"berth/runtime/store"
)

// pullParallel is how many layers download at once.
const pullParallel = 4

// Pull fetches ref from its registry into the store (docker pull): for
// platform ("os/arch[/variant]", "" for this machine's linux/GOARCH),
// with credentials from ~/.docker/config.json, over HTTPS unless the
// registry is on loopback or insecure is set. Layers download in
// parallel, each verified against its digest and diff-id and renamed into
// the layer store whole; a layer already stored is not downloaded again.
func (s *Store) Pull(ctx context.Context, ref, platform string, insecure bool) (*Image, error) {
	r, err := parseRemoteRef(ref, insecure)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", ref, err)
	}
	plat, err := pullPlatform(platform)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", ref, err)
	}
	rimg, err := remote.Image(r, remote.WithContext(ctx), remote.WithPlatform(plat), remote.WithAuthFromKeychain(authn.DefaultKeychain), transportOption(insecure))
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", ref, err)
	}
	img, err := s.installRemote(rimg, r)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", ref, err)
	}
	return img, nil
}

func pullPlatform(platform string) (v1.Platform, error) {
	if platform == "" {
		return v1.Platform{OS: "linux", Architecture: runtime.GOARCH}, nil
	}
	p, err := v1.ParsePlatform(platform)
	if err != nil || p.OS == "" || p.Architecture == "" {
		return v1.Platform{}, fmt.Errorf("invalid platform %q: want os/arch[/variant], such as linux/amd64", platform)
	}
	return *p, nil
}

// installRemote stores rimg through the load path (createLayered), tagged
// as r when r is a tag.
func (s *Store) installRemote(rimg v1.Image, r name.Reference) (*Image, error) {
	config, err := rimg.RawConfigFile()
	if err != nil {
		return nil, fmt.Errorf("read image config: %w", err)
	}
	if _, err := parseConfig(config); err != nil {
		return nil, fmt.Errorf("image config: %w", err)
	}
	spec := loadSpec{config: "config"}
	if t, ok := r.(name.Tag); ok {
		tag, err := NormalizeRef(t.String())
		if err != nil {
			return nil, err
		}
		spec.tags = []string{tag}
	}
	layers, err := rimg.Layers()
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	for _, l := range layers {
		b, err := remoteBlob(l)
		if err != nil {
			return nil, err
		}
		spec.layers = append(spec.layers, b)
	}
	hexID := strings.TrimPrefix(configID(config), "sha256:")
	if _, err := s.Get("sha256:" + hexID); err == nil {
		for _, tag := range spec.tags {
			if err := s.retag(hexID, tag); err != nil {
				return nil, err
			}
		}
		return s.Get("sha256:" + hexID)
	}
	if err := s.prefetchLayers(spec, config); err != nil {
		return nil, err
	}
	return s.createLayered(nil, spec, config)
}

func remoteBlob(l v1.Layer) (blobRef, error) {
	d, err := l.Digest()
	if err != nil {
		return blobRef{}, fmt.Errorf("layer digest: %w", err)
	}
	mt, err := l.MediaType()
	if err != nil {
		return blobRef{}, fmt.Errorf("layer %s: %w", d, err)
	}
	return blobRef{path: d.String(), digest: d.String(), mediaType: string(mt), open: l.Compressed}, nil
}

// prefetchLayers downloads the image's missing layers in parallel into the
// layer store, under the layers lock held shared as createLayered holds
// it; createLayered then finds them stored. On failure the layers made
// here that no image uses are removed.
func (s *Store) prefetchLayers(spec loadSpec, config []byte) error {
	name := imageName(spec.tags, config)
	cf, err := v1.ParseConfigFile(strings.NewReader(string(config)))
	if err != nil {
		return fmt.Errorf("image %s: parse config: %w", name, err)
	}
	diffIDs := cf.RootFS.DiffIDs
	if len(diffIDs) != len(spec.layers) {
		return fmt.Errorf("image %s: the config lists %d layers (rootfs.diff_ids), the manifest %d", name, len(diffIDs), len(spec.layers))
	}
	lock, err := store.RLockFile(filepath.Join(s.dir, layersLock))
	if err != nil {
		return fmt.Errorf("image %s: lock layers: %w", name, err)
	}
	errs := make([]error, len(diffIDs))
	sem := make(chan struct{}, pullParallel)
	var wg sync.WaitGroup
	for i, d := range diffIDs {
		if d.Algorithm != "sha256" {
			errs[i] = fmt.Errorf("image %s: layer %d: unsupported diff-id %s (want sha256)", name, i+1, d)
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			l := spec.layers[i]
			_, _, errs[i] = s.ensureLayer(nil, layerRef{blob: l, diffID: d, mediaType: l.mediaType})
			if errs[i] != nil {
				errs[i] = fmt.Errorf("image %s: layer %d (%s, %s): %w", name, i+1, l.digest, d, errs[i])
			}
		})
	}
	wg.Wait()
	lock.Unlock()
	err = errors.Join(errs...)
	if err != nil {
		if cerr := s.withRepos(func(map[string]string) (bool, error) { return false, s.removeUnusedLayers() }); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}
	return err
}
