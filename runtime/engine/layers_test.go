package engine

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"berth/runtime/backend"
	"berth/runtime/spec"
)

// layerOf is a gzip layer holding files (name -> content; a name ending
// in / is a directory, content "->x" a symlink to x).
func layerOf(t testing.TB, files ...[2]string) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		hdr := &tar.Header{Name: f[0], Mode: 0o755, Typeflag: tar.TypeReg, Size: int64(len(f[1]))}
		switch {
		case f[0][len(f[0])-1] == '/':
			hdr.Typeflag, hdr.Size = tar.TypeDir, 0
		case len(f[1]) > 2 && f[1][:2] == "->":
			hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeSymlink, f[1][2:], 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(f[1][:hdr.Size])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// busyboxLayer is a base layer with the host's static busybox as sh, ls,
// cat and true.
func busyboxLayer(t testing.TB) v1.Layer {
	t.Helper()
	bin, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Skipf("no host busybox: %v", err)
	}
	return layerOf(t, [2]string{"bin/", ""}, [2]string{"bin/busybox", string(bin)}, [2]string{"bin/sh", "->busybox"},
		[2]string{"bin/ls", "->busybox"}, [2]string{"bin/cat", "->busybox"}, [2]string{"bin/true", "->busybox"},
		[2]string{"bin/test", "->busybox"}, [2]string{"etc/", ""}, [2]string{"tmp/", ""})
}

// loadLayered saves an image of layers as `docker save` would and loads
// it into the test engine under ref.
func loadLayered(t testing.TB, ref string, layers ...v1.Layer) {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "save.tar")
	if err := tarball.WriteToFile(p, tag, img); err != nil {
		t.Fatal(err)
	}
	if _, err := testEngine.Images().Load(context.Background(), p); err != nil {
		t.Fatal(err)
	}
}

// Whiteouts and opaque directories of a later layer hide a lower layer's
// files in a real container.
func TestLayeredImageRuns(t *testing.T) {
	sb := sandbox(t)
	loadLayered(t, "layers/wh:1", busyboxLayer(t),
		layerOf(t, [2]string{"gone", "x"}, [2]string{"kept", "kept"}, [2]string{"opq/", ""}, [2]string{"opq/old", "x"}),
		layerOf(t, [2]string{".wh.gone", ""}, [2]string{"opq/", ""}, [2]string{"opq/.wh..wh..opq", ""}, [2]string{"opq/new", "x"}))
	var deep []v1.Layer
	deep = append(deep, busyboxLayer(t))
	for i := 1; i < 20; i++ {
		deep = append(deep, layerOf(t, [2]string{fmt.Sprintf("f%d", i), fmt.Sprint(i)}, [2]string{"top", fmt.Sprint(i)}))
	}
	loadLayered(t, "layers/deep:1", deep...)
	tests := []struct {
		name, image, script, want string
	}{
		{"whiteouts", "layers/wh:1", "ls /opq; test -e /gone || echo gone-hidden; cat /kept", "new\ngone-hidden\nkept"},
		{"20 layers", "layers/deep:1", "cat /f1 /f19 /top", "11919"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := sb.Run(ctx(t), spec.Container{Image: tt.image, Cmd: []string{"/bin/sh", "-c", tt.script}}, backend.RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if out, st := foreground(c).Output, c.State(); out != tt.want || st.ExitCode != 0 {
				t.Errorf("got %q exit %d, want %q", out, st.ExitCode, tt.want)
			}
		})
	}
}
