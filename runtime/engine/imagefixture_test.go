package engine

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"

	"berth/runtime/image"
)

// fixtureConfig is the "config" object of an image config JSON, as
// docker image inspect shows it: the fields a test image sets.
type fixtureConfig struct {
	Env          []string            `json:",omitempty"`
	Cmd          []string            `json:",omitempty"`
	Entrypoint   []string            `json:",omitempty"`
	WorkingDir   string              `json:",omitempty"`
	User         string              `json:",omitempty"`
	ExposedPorts map[string]struct{} `json:",omitempty"`
	Volumes      map[string]struct{} `json:",omitempty"`
	Labels       map[string]string   `json:",omitempty"`
	StopSignal   string              `json:",omitempty"`
	Healthcheck  map[string]any      `json:",omitempty"`
}

// writeSaveArchive writes a docker save tarball to w: one image tagged
// tag, whose only layer is the tree at rootDir plus the files extra (path
// to content, made 0644 root:root), and whose config is cfg.
func writeSaveArchive(w io.Writer, rootDir, tag string, cfg fixtureConfig, extra map[string]string) error {
	var layer bytes.Buffer
	if err := tarTree(&layer, rootDir, extra); err != nil {
		return err
	}
	diffID := sha256.Sum256(layer.Bytes())
	config, err := json.Marshal(map[string]any{
		"architecture": runtime.GOARCH, "os": "linux", "created": time.Unix(0, 0).UTC(), "config": cfg,
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + hex.EncodeToString(diffID[:])}},
	})
	if err != nil {
		return err
	}
	configSum := sha256.Sum256(config)
	configName := hex.EncodeToString(configSum[:]) + ".json"
	manifest, err := json.Marshal([]map[string]any{{"Config": configName, "RepoTags": []string{tag}, "Layers": []string{"layer.tar"}}})
	if err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	for _, f := range []struct {
		name string
		data []byte
	}{{configName, config}, {"layer.tar", layer.Bytes()}, {"manifest.json", manifest}} {
		hdr := &tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(f.data); err != nil {
			return err
		}
	}
	return tw.Close()
}

// tarTree writes the tree at dir as a layer, without an entry for dir
// itself (as docker save's layers are), then the files extra. Hard links
// stay links (busybox's applets are hundreds of them).
func tarTree(w io.Writer, dir string, extra map[string]string) error {
	tw := tar.NewWriter(w)
	type inode struct{ dev, ino uint64 }
	seen := map[inode]string{} // -> its first name
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		var link string
		if fi.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		}
		hdr, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		hdr.Name, hdr.Uname, hdr.Gname = filepath.ToSlash(rel), "", ""
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && fi.Mode().IsRegular() && st.Nlink > 1 {
			key := inode{st.Dev, st.Ino}
			if first, ok := seen[key]; ok {
				hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
			} else {
				seen[key] = hdr.Name
			}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if hdr.Typeflag == tar.TypeReg {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			if _, err := io.Copy(tw, f); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(extra)) {
		hdr := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(extra[name])), Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := io.WriteString(tw, extra[name]); err != nil {
			return err
		}
	}
	return tw.Close()
}

// loadFixture loads into the test engine an image of busybox's tree with
// cfg as its config, tagged tag, removed when the test ends.
func loadFixture(t *testing.T, tag string, cfg fixtureConfig, extra map[string]string) *image.Image {
	t.Helper()
	if testEngine == nil {
		t.Skip("the engine needs root")
	}
	bb, err := testEngine.images.Get("busybox")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "image.tar")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeSaveArchive(f, busyboxRoot(t, bb), tag, cfg, extra); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	imgs, err := testEngine.images.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = testEngine.images.Remove(tag) })
	return imgs[0]
}

// busyboxRoot is the directory holding busybox's files: its one layer in
// the layer store (or the flat root of an older store).
func busyboxRoot(t testing.TB, bb *image.Image) string {
	t.Helper()
	if bb.RootDir != "" {
		return bb.RootDir
	}
	if len(bb.Layers) != 1 {
		t.Fatalf("busybox has %d layers, want 1", len(bb.Layers))
	}
	return bb.Layers[0]
}
