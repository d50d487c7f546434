package image

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/compression"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"berth/runtime/backend"
)

// benchLayers are 4 gzip layers of 25 MB each (250 files of 100 KB of
// random bytes), about 100 MB in all.
func benchLayers(b *testing.B) [][]byte {
	var layers [][]byte
	for l := range 4 {
		var entries []entry
		entries = append(entries, dir(fmt.Sprintf("l%d", l)))
		for f := range 250 {
			data := make([]byte, 100<<10)
			rand.Read(data)
			entries = append(entries, file(fmt.Sprintf("l%d/f%d", l, f), string(data)))
		}
		layers = append(layers, tarBytes(b, entries...))
	}
	return layers
}

// BenchmarkLoad100MB loads a ~100 MB docker save archive (gzip layers)
// into an empty store. Compare with BenchmarkTarX100MB, tar -xzf of the
// same layers. Target: ≤ 1.5× that.
func BenchmarkLoad100MB(b *testing.B) {
	var ls []v1.Layer
	for _, l := range benchLayers(b) {
		ls = append(ls, ggcrLayer(b, l, compression.GZip))
	}
	archive := dockerSave(b, map[string]v1.Image{"bench/load:1": ggcrImage(b, false, ls...)})
	for b.Loop() {
		b.StopTimer()
		dir := filepath.Join(b.TempDir(), "images")
		s, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.Load(archive); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.RemoveAll(dir)
		b.StartTimer()
	}
}

// BenchmarkTarX100MB extracts BenchmarkLoad100MB's layers with tar -xzf,
// each into its own directory.
func BenchmarkTarX100MB(b *testing.B) {
	src := b.TempDir()
	var paths []string
	for i, l := range benchLayers(b) {
		paths = append(paths, writeFile(b, filepath.Join(src, fmt.Sprintf("l%d.tar.gz", i)), gzipBytes(b, l)))
	}
	for b.Loop() {
		b.StopTimer()
		dst := b.TempDir()
		b.StartTimer()
		for i, p := range paths {
			d := filepath.Join(dst, fmt.Sprint(i))
			if err := os.Mkdir(d, 0o755); err != nil {
				b.Fatal(err)
			}
			if out, err := exec.Command("tar", "-xzf", p, "-C", d).CombinedOutput(); err != nil {
				b.Fatalf("tar: %v: %s", err, out)
			}
		}
		b.StopTimer()
		os.RemoveAll(dst)
		b.StartTimer()
	}
}

// BenchmarkPull100MB pulls BenchmarkLoad100MB's image from a registry on
// loopback into an empty store. Target: ≤ 1.5× BenchmarkLoad100MB.
func BenchmarkPull100MB(b *testing.B) {
	var ls []v1.Layer
	for _, l := range benchLayers(b) {
		ls = append(ls, ggcrLayer(b, l, compression.GZip))
	}
	reg := startRegistry(b, nil)
	reg.put(b, "bench/pull:1", ggcrImage(b, false, ls...))
	for b.Loop() {
		b.StopTimer()
		dir := filepath.Join(b.TempDir(), "images")
		s, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.Pull(context.Background(), reg.addr+"/bench/pull:1", backend.PullOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.RemoveAll(dir)
		b.StartTimer()
	}
}
