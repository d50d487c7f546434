package image

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/compression"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"berth/runtime/store"
)

// ggcrLayer is a layer of the given tar, compressed with comp.
func ggcrLayer(t testing.TB, data []byte, comp compression.Compression) v1.Layer {
	t.Helper()
	opts := []tarball.LayerOption{tarball.WithCompression(comp)}
	if comp == compression.ZStd {
		opts = append(opts, tarball.WithMediaType(types.OCILayerZStd))
	}
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func ggcrImage(t testing.TB, oci bool, layers ...v1.Layer) v1.Image {
	t.Helper()
	base := empty.Image
	if oci {
		base = mutate.MediaType(mutate.ConfigMediaType(base, types.OCIConfigJSON), types.OCIManifestSchema1)
	}
	img, err := mutate.AppendLayers(base, layers...)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// dockerSave writes images as `docker save` (classic layout) does.
func dockerSave(t testing.TB, images map[string]v1.Image) string {
	t.Helper()
	refs := map[name.Tag]v1.Image{}
	for tag, img := range images {
		ref, err := name.NewTag(tag)
		if err != nil {
			t.Fatal(err)
		}
		refs[ref] = img
	}
	p := filepath.Join(t.TempDir(), "save.tar")
	if err := tarball.MultiWriteToFile(p, refs); err != nil {
		t.Fatal(err)
	}
	return p
}

// ociDir writes img as an OCI image layout named tag; with manifestJSON
// it adds Docker 25+'s manifest.json next to index.json.
func ociDir(t testing.TB, img v1.Image, tag string, manifestJSON bool) string {
	t.Helper()
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{annotationRefName: tag})); err != nil {
		t.Fatal(err)
	}
	if manifestJSON {
		cfg, _ := img.ConfigName()
		layers, _ := img.Layers()
		entry := map[string]any{"Config": "blobs/sha256/" + cfg.Hex, "RepoTags": []string{tag}}
		var paths []string
		for _, l := range layers {
			d, _ := l.Digest()
			paths = append(paths, "blobs/sha256/"+d.Hex)
		}
		entry["Layers"] = paths
		writeFile(t, filepath.Join(dir, "manifest.json"), mustJSON(t, []any{entry}))
	}
	return dir
}

func TestLoadFormatsAndCompressions(t *testing.T) {
	base := tarBytes(t, dir("etc"), file("etc/base", "base"))
	top := tarBytes(t, file("etc/top", "top"))
	tests := []struct {
		name string
		make func(t *testing.T) string
	}{
		{"docker save gzip", func(t *testing.T) string {
			return dockerSave(t, map[string]v1.Image{"fmt/x:1": ggcrImage(t, false, ggcrLayer(t, base, compression.GZip), ggcrLayer(t, top, compression.GZip))})
		}},
		{"OCI layout dir zstd", func(t *testing.T) string {
			return ociDir(t, ggcrImage(t, true, ggcrLayer(t, base, compression.ZStd), ggcrLayer(t, top, compression.ZStd)), "fmt/x:1", false)
		}},
		{"OCI layout tar gzip+zstd", func(t *testing.T) string {
			d := ociDir(t, ggcrImage(t, true, ggcrLayer(t, base, compression.GZip), ggcrLayer(t, top, compression.ZStd)), "fmt/x:1", false)
			return writeFile(t, filepath.Join(t.TempDir(), "oci.tar"), dirToTar(t, d))
		}},
		{"docker 25 save (OCI layout with manifest.json)", func(t *testing.T) string {
			d := ociDir(t, ggcrImage(t, true, ggcrLayer(t, base, compression.GZip), ggcrLayer(t, top, compression.GZip)), "fmt/x:1", true)
			return writeFile(t, filepath.Join(t.TempDir(), "save.tar"), dirToTar(t, d))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t)
			images, err := s.Load(tt.make(t))
			if err != nil {
				t.Fatal(err)
			}
			if len(images) != 1 || !slices.Equal(images[0].RepoTags, []string{"fmt/x:1"}) || len(images[0].Layers) != 2 {
				t.Fatalf("Load = %+v, want fmt/x:1 with 2 layers", images)
			}
			r := mountImage(t, images[0])
			if readString(t, filepath.Join(r, "etc/base")) != "base" || readString(t, filepath.Join(r, "etc/top")) != "top" {
				t.Error("the mounted image lacks a layer's file")
			}
		})
	}
}

// Two images sharing a base layer store it once; removing one frees only
// its own layer, removing the other frees the rest.
func TestSharedBaseStoredOnce(t *testing.T) {
	base := ggcrLayer(t, tarBytes(t, file("base", strings.Repeat("b", 4096))), compression.GZip)
	a := ggcrImage(t, false, base, ggcrLayer(t, tarBytes(t, file("a", "a")), compression.GZip))
	b := ggcrImage(t, false, base, ggcrLayer(t, tarBytes(t, file("b", "b")), compression.GZip))
	s := openStore(t)
	images, err := s.Load(dockerSave(t, map[string]v1.Image{"shared/a:1": a, "shared/b:1": b}))
	if err != nil {
		t.Fatal(err)
	}
	if len(images) != 2 {
		t.Fatalf("multi-image archive loaded %d images, want 2", len(images))
	}
	wantLayers := func(want int) {
		t.Helper()
		if n, err := s.LayerCount(); err != nil || n != want {
			t.Errorf("layer store holds %d layers (%v), want %d", n, err, want)
		}
	}
	wantLayers(3)
	// A second load of one of them adds nothing.
	if _, err := s.Load(dockerSave(t, map[string]v1.Image{"shared/a:2": a})); err != nil {
		t.Fatal(err)
	}
	wantLayers(3)
	for _, ref := range []string{"shared/a:1", "shared/a:2"} {
		if err := s.Remove(ref); err != nil {
			t.Fatal(err)
		}
	}
	wantLayers(2)
	t.Run("b keeps its base", func(t *testing.T) { // unmounted when the subtest ends
		if r := mountImage(t, mustGet(t, s, "shared/b:1")); readString(t, filepath.Join(r, "base")) == "" {
			t.Error("b lost its base")
		}
	})
	if err := s.Remove("shared/b:1"); err != nil {
		t.Fatal(err)
	}
	wantLayers(0)
}

// A tag that moves takes its old image's layers along; prune removes a
// dangling image with its layers.
func TestUntagAndPruneFreeLayers(t *testing.T) {
	s := openStore(t)
	wantLayers := func(want int) {
		t.Helper()
		if n, err := s.LayerCount(); err != nil || n != want {
			t.Errorf("layer store holds %d layers (%v), want %d", n, err, want)
		}
	}
	img := ggcrImage(t, false, ggcrLayer(t, tarBytes(t, file("x", "x")), compression.GZip))
	if _, err := s.Load(dockerSave(t, map[string]v1.Image{"prune/x:1": img})); err != nil {
		t.Fatal(err)
	}
	other := ggcrImage(t, false, ggcrLayer(t, tarBytes(t, file("y", "y")), compression.GZip))
	if _, err := s.Load(dockerSave(t, map[string]v1.Image{"prune/x:1": other})); err != nil { // the tag moves
		t.Fatal(err)
	}
	wantLayers(1)
	dangling := ggcrImage(t, true, ggcrLayer(t, tarBytes(t, file("z", "z")), compression.GZip))
	if _, err := s.Load(ociDir(t, dangling, "latest", false)); err != nil { // a bare tag names no repository
		t.Fatal(err)
	}
	wantLayers(2)
	if _, _, err := s.Prune(false); err != nil {
		t.Fatal(err)
	}
	wantLayers(1)
}

// A stack deeper than mount(2)'s one-page option limit mounts (lowerdir+),
// the top layer's files winning.
func TestDeepImageMounts(t *testing.T) {
	const depth = 80
	var layers []v1.Layer
	for i := range depth {
		layers = append(layers, ggcrLayer(t, tarBytes(t, file(fmt.Sprintf("f%d", i), "x"), file("top", fmt.Sprint(i))), compression.GZip))
	}
	s := openStore(t)
	images, err := s.Load(dockerSave(t, map[string]v1.Image{"deep/x:1": ggcrImage(t, false, layers...)}))
	if err != nil {
		t.Fatal(err)
	}
	if opts := len(strings.Join(images[0].lowerDirs(), ":")); opts < os.Getpagesize() {
		t.Fatalf("lowerdir list is %d bytes, the test needs more than a page", opts)
	}
	r := mountImage(t, images[0])
	if got := readString(t, filepath.Join(r, "top")); got != fmt.Sprint(depth-1) {
		t.Errorf("/top = %q, want the top layer's %d", got, depth-1)
	}
	for _, f := range []string{"f0", fmt.Sprintf("f%d", depth-1)} {
		readString(t, filepath.Join(r, f))
	}
}

func TestLoadRefusesUnknownLayerMediaType(t *testing.T) {
	l := ggcrLayer(t, tarBytes(t, file("x", "x")), compression.GZip)
	img, err := mutate.Append(ggcrImage(t, true), mutate.Addendum{Layer: l, MediaType: "application/x-berth-unknown"})
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	_, err = s.Load(ociDir(t, img, "odd/x:1", false))
	if err == nil || !strings.Contains(err.Error(), `image odd/x:1: layer 1`) || !strings.Contains(err.Error(), `unsupported layer media type "application/x-berth-unknown"`) {
		t.Fatalf("Load error %v, want the image, the layer and the media type named", err)
	}
	checkStoreEmpty(t, s)
}

// While a load is in flight (layers.lock held shared), freeing layers
// waits for a later rm or prune: the load's layers are not listed yet.
func TestLayersOfALoadInFlightStay(t *testing.T) {
	s := openStore(t)
	img := ggcrImage(t, false, ggcrLayer(t, tarBytes(t, file("x", "x")), compression.GZip))
	if _, err := s.Load(dockerSave(t, map[string]v1.Image{"flight/x:1": img})); err != nil {
		t.Fatal(err)
	}
	lock, err := store.RLockFile(filepath.Join(s.dir, layersLock))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("flight/x:1"); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.LayerCount(); n != 1 {
		t.Errorf("with a load in flight, rm freed layers: %d left, want 1", n)
	}
	if err := lock.Unlock(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Prune(false); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.LayerCount(); n != 0 {
		t.Errorf("after the load, prune left %d layers, want 0", n)
	}
}
