package image

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

const testConfig = `{"architecture":"amd64","os":"linux","created":"2022-01-02T03:04:05Z",
"config":{"Env":["PATH=/bin","FOO=bar"],"Cmd":["serve"],"Entrypoint":["/bin/app"],"WorkingDir":"/srv",
"User":"daemon","ExposedPorts":{"80/tcp":{},"53/udp":{}},"Labels":{"a":"b"},"Volumes":{"/data":{}}},
"rootfs":{"type":"layers","diff_ids":[]}}`

// testLayers exercise whiteouts: layer 2 deletes files and directories,
// makes opq/ opaque (after writing opq/new into it), and swaps a file and
// a directory.
func testLayers(t *testing.T) [][]byte {
	return [][]byte{
		tarBytes(t, dir("etc"), file("etc/keep", "kept"), file("gone", "x"), dir("gonedir"), file("gonedir/f", "x"),
			dir("opq"), file("opq/old", "x"), dir("opq/sub"), file("opq/sub/old2", "x"),
			file("file2dir", "x"), dir("dir2file"), file("dir2file/child", "x")),
		tarBytes(t, file(".wh.gone", ""), file(".wh.gonedir", ""), dir("opq"), file("opq/new", "new"),
			file("opq/.wh..wh..opq", ""), dir("file2dir"), file("file2dir/x", "x"), file("dir2file", "now a file"),
			file("etc/added", "added"), dir(".wh..wh.plnk"), file(".wh..wh.plnk/123.456", "aufs")),
	}
}

// withDiffIDs fills a config's empty rootfs.diff_ids with the layers'
// (uncompressed) digests, as every real image config has them.
func withDiffIDs(t testing.TB, config string, layers [][]byte) string {
	t.Helper()
	ids := make([]string, len(layers))
	for i, l := range layers {
		r, err := decompress(bytes.NewReader(l))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = sha(plain)
	}
	return strings.Replace(config, `"diff_ids":[]`, `"diff_ids":`+string(mustJSON(t, ids)), 1)
}

// mountImage mounts img's root filesystem read-only for the test.
func mountImage(t testing.TB, img *Image) string {
	t.Helper()
	dir := t.TempDir()
	rootfs, err := MountRootfs(img, dir, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := UnmountRootfs(dir); err != nil {
			t.Error(err)
		}
	})
	return rootfs
}

func checkLoaded(t *testing.T, img *Image) {
	t.Helper()
	if img.ID != configID([]byte(withDiffIDs(t, testConfig, testLayers(t)))) {
		t.Errorf("ID = %s, want the sha256 of the config", img.ID)
	}
	want := Config{
		Env: []string{"PATH=/bin", "FOO=bar"}, Cmd: []string{"serve"}, Entrypoint: []string{"/bin/app"},
		WorkingDir: "/srv", User: "daemon", ExposedPorts: []string{"53/udp", "80/tcp"},
		Labels: map[string]string{"a": "b"}, Volumes: []string{"/data"},
	}
	got := img.Config
	if !slices.Equal(got.Env, want.Env) || !slices.Equal(got.Cmd, want.Cmd) || !slices.Equal(got.Entrypoint, want.Entrypoint) ||
		got.WorkingDir != want.WorkingDir || got.User != want.User || !slices.Equal(got.ExposedPorts, want.ExposedPorts) ||
		got.Labels["a"] != "b" || len(got.Labels) != 1 || !slices.Equal(got.Volumes, want.Volumes) {
		t.Errorf("Config = %+v, want %+v", got, want)
	}
	if !img.Created.Equal(time.Date(2022, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("Created = %v", img.Created)
	}
	r := mountImage(t, img)
	for p, content := range map[string]string{"etc/keep": "kept", "etc/added": "added", "opq/new": "new", "file2dir/x": "x", "dir2file": "now a file"} {
		if got := readString(t, filepath.Join(r, p)); got != content {
			t.Errorf("/%s = %q, want %q", p, got, content)
		}
	}
	for _, p := range []string{"gone", "gonedir", "opq/old", "opq/sub", "dir2file/child", ".wh.gone", "opq/.wh..wh..opq", ".wh..wh.plnk"} {
		mustNotExist(t, filepath.Join(r, p))
	}
}

func sha(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// dirToTar packs a directory of plain files into a tar archive.
func dirToTar(t *testing.T, dir string) []byte {
	t.Helper()
	var entries []entry
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if fi.IsDir() {
			entries = append(entries, entry{name: rel, typ: '5', mode: 0o755})
			return nil
		}
		data, err := os.ReadFile(p)
		entries = append(entries, file(rel, string(data)))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tarBytes(t, entries...)
}

func dockerSaveDir(t *testing.T, layers [][]byte, config string, tags []string) string {
	t.Helper()
	d := t.TempDir()
	config = withDiffIDs(t, config, layers)
	cfgName := strings.TrimPrefix(sha([]byte(config)), "sha256:") + ".json"
	writeFile(t, filepath.Join(d, cfgName), []byte(config))
	var layerPaths []string
	for i, l := range layers {
		p := filepath.Join("layer"+string(rune('a'+i)), "layer.tar")
		writeFile(t, filepath.Join(d, p), l)
		layerPaths = append(layerPaths, p)
	}
	manifest := []map[string]any{{"Config": cfgName, "RepoTags": tags, "Layers": layerPaths}}
	writeFile(t, filepath.Join(d, "manifest.json"), mustJSON(t, manifest))
	return d
}

func TestLoadDockerSave(t *testing.T) {
	src := dockerSaveDir(t, testLayers(t), testConfig, []string{"example.com/app:1", "app"})
	tarPath := writeFile(t, filepath.Join(t.TempDir(), "save.tar"), dirToTar(t, src))
	for _, path := range []string{tarPath, src} {
		s := openStore(t)
		images, err := s.Load(path)
		if err != nil {
			t.Fatalf("Load(%s): %v", path, err)
		}
		if len(images) != 1 {
			t.Fatalf("Load gave %d images, want 1", len(images))
		}
		checkLoaded(t, images[0])
		if !slices.Equal(images[0].RepoTags, []string{"app:latest", "example.com/app:1"}) {
			t.Errorf("RepoTags = %q", images[0].RepoTags)
		}
		// Loading again changes nothing but the tags.
		again, err := s.Load(path)
		if err != nil || len(again) != 1 || again[0].ID != images[0].ID {
			t.Fatalf("second Load: %v, %v", again, err)
		}
		if n := imageDirs(t, s); n != 1 {
			t.Errorf("%d image directories after loading twice, want 1", n)
		}
	}
}

// ociLayout writes an OCI image layout: index.json -> image index (two
// platforms) -> manifest for this machine, with a gzip and a plain layer.
func ociLayout(t *testing.T, name string) string {
	t.Helper()
	d := t.TempDir()
	blob := func(data []byte) map[string]any {
		digest := sha(data)
		writeFile(t, filepath.Join(d, "blobs/sha256", strings.TrimPrefix(digest, "sha256:")), data)
		return map[string]any{"digest": digest, "size": len(data)}
	}
	with := func(desc map[string]any, kv ...any) map[string]any {
		for i := 0; i < len(kv); i += 2 {
			desc[kv[i].(string)] = kv[i+1]
		}
		return desc
	}
	layers := testLayers(t)
	manifest := mustJSON(t, map[string]any{
		"schemaVersion": 2, "mediaType": mediaOCIManifest,
		"config": with(blob([]byte(withDiffIDs(t, testConfig, layers))), "mediaType", "application/vnd.oci.image.config.v1+json"),
		"layers": []any{
			with(blob(gzipBytes(t, layers[0])), "mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"),
			with(blob(layers[1]), "mediaType", "application/vnd.oci.image.layer.v1.tar"),
		},
	})
	other := mustJSON(t, map[string]any{"schemaVersion": 2, "mediaType": mediaOCIManifest, "config": blob([]byte("{}")), "layers": []any{}})
	index := mustJSON(t, map[string]any{
		"schemaVersion": 2, "mediaType": mediaOCIIndex,
		"manifests": []any{
			with(blob(other), "mediaType", mediaOCIManifest, "platform", map[string]any{"os": "linux", "architecture": "s390x"}),
			with(blob(manifest), "mediaType", mediaOCIManifest, "platform", map[string]any{"os": "linux", "architecture": runtime.GOARCH}),
		},
	})
	top := with(blob(index), "mediaType", mediaOCIIndex)
	if name != "" {
		top["annotations"] = map[string]any{annotationName: name, annotationRefName: "2"}
	}
	writeFile(t, filepath.Join(d, "index.json"), mustJSON(t, map[string]any{"schemaVersion": 2, "manifests": []any{top}}))
	writeFile(t, filepath.Join(d, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`))
	return d
}

func TestLoadOCILayout(t *testing.T) {
	layout := ociLayout(t, "docker.io/library/ocitest:2")
	tarPath := writeFile(t, filepath.Join(t.TempDir(), "oci.tar"), dirToTar(t, layout))
	for _, path := range []string{layout, tarPath} {
		s := openStore(t)
		images, err := s.Load(path)
		if err != nil {
			t.Fatalf("Load(%s): %v", path, err)
		}
		if len(images) != 1 {
			t.Fatalf("Load gave %d images, want 1", len(images))
		}
		checkLoaded(t, images[0])
		if !slices.Equal(images[0].RepoTags, []string{"ocitest:2"}) {
			t.Errorf("RepoTags = %q", images[0].RepoTags)
		}
		if got, err := s.Get("ocitest:2"); err != nil || got.ID != images[0].ID {
			t.Errorf("Get(ocitest:2) = %v, %v", got, err)
		}
	}
}

func TestLoadOCIUnnamedIsUntagged(t *testing.T) {
	s := openStore(t)
	images, err := s.Load(ociLayout(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(images) != 1 || len(images[0].RepoTags) != 0 {
		t.Fatalf("Load = %+v, want one untagged image", images)
	}
	if err := s.Tag(images[0].ID, "named"); err != nil {
		t.Fatal(err)
	}
	checkLoaded(t, mustGet(t, s, "named"))
}

func TestLoadRefusesBadArchives(t *testing.T) {
	corrupt := ociLayout(t, "x")
	var idx struct{ Manifests []struct{ Digest string } }
	if err := json.Unmarshal([]byte(readString(t, filepath.Join(corrupt, "index.json"))), &idx); err != nil {
		t.Fatal(err)
	}
	// Change one byte of the top index blob: its digest no longer matches.
	indexBlob := filepath.Join(corrupt, "blobs/sha256", strings.TrimPrefix(idx.Manifests[0].Digest, "sha256:"))
	writeFile(t, indexBlob, []byte(strings.Replace(readString(t, indexBlob), "s390x", "s390y", 1)))

	badPath := dockerSaveDir(t, nil, testConfig, []string{"evil"})
	writeFile(t, filepath.Join(badPath, "manifest.json"), []byte(`[{"Config":"../../etc/passwd","RepoTags":["evil"],"Layers":[]}]`))
	wrongDiffID := strings.Replace(testConfig, `"diff_ids":[]`, `"diff_ids":["sha256:`+strings.Repeat("0", 64)+`"]`, 1)
	device := entry{name: "dev/null", typ: tar.TypeChar, mode: 0o666, major: 1, minor: 3}
	base := tarBytes(t, file("secret", "x"))

	tests := []struct {
		name, path, want string
	}{
		{"digest mismatch", corrupt, "does not match its digest"},
		{"diff-id mismatch", dockerSaveDir(t, [][]byte{base}, wrongDiffID, []string{"evil"}),
			`image evil:latest: layer 1 (layera/layer.tar, sha256:000`},
		{"dot-dot path", dockerSaveDir(t, [][]byte{base, tarBytes(t, file("../evil", "x"))}, testConfig, []string{"evil"}),
			`image evil:latest: layer 2 (layerb/layer.tar, sha256:`},
		{"absolute path", dockerSaveDir(t, [][]byte{tarBytes(t, file("/etc/evil", "x"))}, testConfig, []string{"evil"}),
			`refusing tar entry "/etc/evil": path escapes`},
		{"device node", dockerSaveDir(t, [][]byte{base, tarBytes(t, device)}, testConfig, []string{"evil"}),
			`layer 2 (layerb/layer.tar, sha256:`},
		{"hard link out of the layer", dockerSaveDir(t, [][]byte{base, tarBytes(t, hardlink("link", "secret"))}, testConfig, []string{"evil"}),
			`refusing tar entry "link": hard link target "secret" is not in this layer`},
		{"config outside the archive", badPath, "path escapes"},
		{"not an image archive", t.TempDir(), "neither manifest.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t)
			_, err := s.Load(tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load error %v, want one containing %q", err, tt.want)
			}
			checkStoreEmpty(t, s)
		})
	}
}

// checkStoreEmpty fails when a store holds an image, a layer or work.
func checkStoreEmpty(t *testing.T, s *Store) {
	t.Helper()
	for _, name := range storeEntries(t, s) {
		if name != layersDir && name != layersLock {
			t.Errorf("store holds %q", name)
		}
	}
	if n, err := s.LayerCount(); err != nil || n != 0 {
		t.Errorf("store holds %d layers (%v), want 0", n, err)
	}
}

// A symlink in a lower layer cannot lead a whiteout or opaque directory of
// a later layer out of the root: each layer is extracted on its own.
func TestLoadWhiteoutThroughSymlinkStaysInside(t *testing.T) {
	outside := t.TempDir()
	secret := writeFile(t, filepath.Join(outside, "secret"), []byte("keep"))
	for _, wh := range []string{"a/.wh.secret", "a/.wh..wh..opq"} {
		s := openStore(t)
		img, err := s.Load(dockerSaveDir(t, [][]byte{
			tarBytes(t, symlink("a", outside)),
			tarBytes(t, file(wh, "")),
		}, testConfig, []string{"evil"}))
		if err != nil {
			t.Fatal(err)
		}
		mountImage(t, img[0])
		if got := readString(t, secret); got != "keep" {
			t.Errorf("%s: file outside changed to %q", wh, got)
		}
	}
}

func mustGet(t testing.TB, s *Store, ref string) *Image {
	t.Helper()
	img, err := s.Get(ref)
	if err != nil {
		t.Fatalf("Get(%q): %v", ref, err)
	}
	return img
}
