package image

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Save writes the images refs name as one `docker save` archive to w
// (manifest.json, configs, uncompressed layer tars), which docker load
// and Load read. A tag is saved under that tag; an image named by its id
// is saved untagged. The layer store keeps files, not the tars they came
// from: each layer is packed again (whiteouts back to .wh. entries). When
// a packed layer differs from the one loaded, the saved config carries the
// new diff-ids, so the image loads back under a new id; a layer berth
// packed itself (commit, busybox) packs the same and keeps it.
func (s *Store) Save(refs []string, w io.Writer) error {
	if len(refs) == 0 {
		return fmt.Errorf("save: no image given")
	}
	work, err := os.MkdirTemp(s.dir, s.tmpPrefix+"save-")
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	defer os.RemoveAll(work)
	byID := map[string]v1.Image{}
	toWrite := map[name.Reference]v1.Image{}
	for _, ref := range refs {
		img, err := s.Get(ref)
		if err != nil {
			return fmt.Errorf("save: %w", err)
		}
		saved, ok := byID[img.ID]
		if !ok {
			if saved, err = s.saveImage(img, filepath.Join(work, strings.TrimPrefix(img.ID, "sha256:"))); err != nil {
				return fmt.Errorf("save %s: %w", ref, err)
			}
			byID[img.ID] = saved
		}
		toWrite[saveRef(ref, img)] = saved
	}
	if err := tarball.MultiRefWrite(toWrite, w); err != nil {
		return fmt.Errorf("save: write archive: %w", err)
	}
	return nil
}

// saveRef is the name the archive gives an image asked for as ref: the
// tag, or, for an id, its digest (untagged).
func saveRef(ref string, img *Image) name.Reference {
	if tag, err := NormalizeRef(ref); err == nil && slices.Contains(img.RepoTags, tag) {
		if t, err := name.NewTag(tag); err == nil {
			return t
		}
	}
	d, _ := name.NewDigest("berth/untagged@" + img.ID)
	return d
}

// saveImage packs img's layers into dir and returns it as a v1.Image.
func (s *Store) saveImage(img *Image, dir string) (v1.Image, error) {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, err
	}
	layers := img.Layers
	if len(layers) == 0 {
		layers = []string{img.RootDir}
	}
	si := &savedImage{}
	diffIDs := make([]string, len(layers))
	for i, l := range layers {
		p := filepath.Join(dir, fmt.Sprintf("%d.tar", i))
		d, err := packUpper(l, p)
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", i+1, err)
		}
		h, err := v1.NewHash(d)
		if err != nil {
			return nil, err
		}
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		si.layers = append(si.layers, savedLayer{path: p, diffID: h, size: fi.Size()})
		diffIDs[i] = d
	}
	config, err := os.ReadFile(filepath.Join(s.dir, strings.TrimPrefix(img.ID, "sha256:"), configName))
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	if si.config, err = configWithDiffIDs(config, diffIDs); err != nil {
		return nil, err
	}
	return partial.CompressedToImage(si)
}

// configWithDiffIDs returns config with rootfs.diff_ids set to diffIDs: the
// same bytes when they are its diff-ids already.
func configWithDiffIDs(config []byte, diffIDs []string) ([]byte, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(config, &doc); err != nil {
		return nil, fmt.Errorf("parse config: %w", err)
	}
	var rootfs rootFS
	if raw, ok := doc["rootfs"]; ok {
		if err := json.Unmarshal(raw, &rootfs); err != nil {
			return nil, fmt.Errorf("parse config rootfs: %w", err)
		}
	}
	if slices.Equal(rootfs.DiffIDs, diffIDs) {
		return config, nil
	}
	raw, err := json.Marshal(rootFS{Type: "layers", DiffIDs: diffIDs})
	if err != nil {
		return nil, err
	}
	doc["rootfs"] = raw
	return json.Marshal(doc)
}

// savedImage is an image whose layers are packed in files, for
// go-containerregistry's tarball writer.
type savedImage struct {
	config []byte
	layers []savedLayer
}

func (si *savedImage) RawConfigFile() ([]byte, error)      { return si.config, nil }
func (si *savedImage) MediaType() (types.MediaType, error) { return types.DockerManifestSchema2, nil }

func (si *savedImage) RawManifest() ([]byte, error) {
	cfgHash, cfgSize, err := v1.SHA256(bytes.NewReader(si.config))
	if err != nil {
		return nil, err
	}
	m := v1.Manifest{
		SchemaVersion: 2, MediaType: types.DockerManifestSchema2,
		Config: v1.Descriptor{MediaType: types.DockerConfigJSON, Size: cfgSize, Digest: cfgHash},
	}
	for _, l := range si.layers {
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: types.DockerUncompressedLayer, Size: l.size, Digest: l.diffID})
	}
	return json.Marshal(m)
}

func (si *savedImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	for _, l := range si.layers {
		if l.diffID == h {
			return l, nil
		}
	}
	return nil, fmt.Errorf("no layer %s", h)
}

// savedLayer is an uncompressed layer tar: its digest is its diff-id.
type savedLayer struct {
	path   string
	diffID v1.Hash
	size   int64
}

func (l savedLayer) Digest() (v1.Hash, error)             { return l.diffID, nil }
func (l savedLayer) DiffID() (v1.Hash, error)             { return l.diffID, nil }
func (l savedLayer) Compressed() (io.ReadCloser, error)   { return os.Open(l.path) }
func (l savedLayer) Uncompressed() (io.ReadCloser, error) { return os.Open(l.path) }
func (l savedLayer) Size() (int64, error)                 { return l.size, nil }
func (l savedLayer) MediaType() (types.MediaType, error)  { return types.DockerUncompressedLayer, nil }
