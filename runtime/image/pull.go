package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"berth/runtime/backend"
	"berth/runtime/spec"
	"berth/runtime/store"
)

// pullParallel is how many layers download at once.
const pullParallel = 4

// Pull fetches ref from its registry into the store (docker pull): for
// o.Platform ("os/arch[/variant]", "" for this machine's linux/GOARCH),
// with o.Auth or else the credentials of ~/.docker/config.json, over
// HTTPS unless the registry is on loopback or o.Insecure is set. Layers
// download in parallel, each verified against its digest and diff-id and
// renamed into the layer store whole; a layer already stored is not
// downloaded again. Offline (SetOffline), a registry off this machine is
// refused before anything is sent.
func (s *Store) Pull(ctx context.Context, ref string, o backend.PullOptions) (*Image, error) {
	r, err := parseRemoteRef(ref, o.Insecure)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", ref, err)
	}
	plat, err := pullPlatform(o.Platform)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", ref, err)
	}
	if err := s.checkReachable(r); err != nil {
		return nil, fmt.Errorf("pull %s: %w", ref, err)
	}
	auth, err := s.authOption(o.Auth)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", ref, err)
	}
	rimg, err := remote.Image(r, remote.WithContext(ctx), remote.WithPlatform(plat), auth, s.transportOption(o.Insecure))
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", ref, err)
	}
	img, err := s.installRemote(rimg, r, o.Progress)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", ref, err)
	}
	return img, nil
}

// checkReachable refuses, offline, a registry not on this machine.
func (s *Store) checkReachable(r name.Reference) error {
	reg := r.Context().Registry
	host := reg.RegistryStr()
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if s.offline && !loopbackHost(strings.Trim(host, "[]")) {
		return offlineError(reg.RegistryStr())
	}
	return nil
}

func pullPlatform(platform string) (v1.Platform, error) {
	if platform == "" {
		return v1.Platform{OS: "linux", Architecture: runtime.GOARCH}, nil
	}
	if err := spec.CheckPlatform(platform); err != nil {
		return v1.Platform{}, err
	}
	p, err := v1.ParsePlatform(platform)
	if err != nil || p.OS == "" || p.Architecture == "" {
		return v1.Platform{}, fmt.Errorf("invalid platform %q: want os/arch[/variant], such as linux/amd64", platform)
	}
	return *p, nil
}

// installRemote stores rimg through the load path (createLayered), tagged
// as r when r is a tag.
func (s *Store) installRemote(rimg v1.Image, r name.Reference, progress func(backend.LayerProgress)) (*Image, error) {
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
		b, err := remoteBlob(l, progress)
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
	if err := s.prefetchLayers(spec, config, progress); err != nil {
		return nil, err
	}
	return s.createLayered(nil, spec, config)
}

func remoteBlob(l v1.Layer, progress func(backend.LayerProgress)) (blobRef, error) {
	d, err := l.Digest()
	if err != nil {
		return blobRef{}, fmt.Errorf("layer digest: %w", err)
	}
	mt, err := l.MediaType()
	if err != nil {
		return blobRef{}, fmt.Errorf("layer %s: %w", d, err)
	}
	b := blobRef{path: d.String(), digest: d.String(), mediaType: string(mt), open: l.Compressed}
	if progress != nil {
		total, _ := l.Size()
		b.size = total
		b.open = func() (io.ReadCloser, error) {
			rc, err := l.Compressed()
			if err != nil {
				return nil, err
			}
			return &countingReader{ReadCloser: rc, report: func(n int64) {
				progress(backend.LayerProgress{Layer: d.String(), Done: n, Total: total})
			}}, nil
		}
	}
	return b, nil
}

// countingReader reports the bytes read so far, every progressStep bytes.
type countingReader struct {
	io.ReadCloser
	n, last int64
	report  func(n int64)
}

const progressStep = 256 << 10

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n += int64(n)
	if c.n-c.last >= progressStep || (err != nil && c.n > c.last) {
		c.last = c.n
		c.report(c.n)
	}
	return n, err
}

// prefetchLayers downloads the image's missing layers in parallel into the
// layer store, under the layers lock held shared as createLayered holds
// it; createLayered then finds them stored. On failure the layers made
// here that no image uses are removed.
func (s *Store) prefetchLayers(spec loadSpec, config []byte, progress func(backend.LayerProgress)) error {
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
			_, made, err := s.ensureLayer(nil, layerRef{blob: l, diffID: d, mediaType: l.mediaType})
			if progress != nil {
				progress(backend.LayerProgress{Layer: l.digest, Total: l.size, Done: l.size, Stored: err == nil && !made, Finish: true})
			}
			errs[i] = err
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
