package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"runtime"
	"strings"
)

// Media types of manifests and indexes (OCI and Docker's own).
const (
	mediaOCIIndex     = "application/vnd.oci.image.index.v1+json"
	mediaDockerList   = "application/vnd.docker.distribution.manifest.list.v2+json"
	mediaOCIManifest  = "application/vnd.oci.image.manifest.v1+json"
	mediaDockerManif  = "application/vnd.docker.distribution.manifest.v2+json"
	annotationName    = "io.containerd.image.name"
	annotationRefName = "org.opencontainers.image.ref.name"
	maxIndexDepth     = 4
)

var digestRE = regexp.MustCompile(`^sha256:([0-9a-f]{64})$`)

// loadSpec is one image found in an archive: paths inside the archive.
type loadSpec struct {
	config       string
	configDigest string // "" when the format gives none
	layers       []blobRef
	tags         []string
}

type blobRef struct {
	path      string
	digest    string // "" when the format gives none
	mediaType string // "" when the format gives none
	// open, when set, reads the blob from elsewhere than the archive (a
	// registry, for pull); path then only names it in errors.
	open func() (io.ReadCloser, error)
	size int64 // bytes of the blob, for progress; 0 if unknown
}

// Load reads the images in a `docker save` archive or an OCI image layout,
// each given as a directory or a tar archive. Layers are applied in order,
// with whiteouts, into one flattened root filesystem per image.
func (s *Store) Load(path string) ([]*Image, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load %q: %w", path, err)
	}
	dir := path
	if !fi.IsDir() {
		work, err := os.MkdirTemp(s.dir, s.tmpPrefix+"load-")
		if err != nil {
			return nil, fmt.Errorf("load %q: %w", path, err)
		}
		defer os.RemoveAll(work)
		if err := unpackArchive(path, work); err != nil {
			return nil, fmt.Errorf("load %q: %w", path, err)
		}
		dir = work
	}
	archive, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("load %q: %w", path, err)
	}
	defer archive.Close()
	specs, err := readManifests(archive)
	if err != nil {
		return nil, fmt.Errorf("load %q: %w", path, err)
	}
	images := make([]*Image, 0, len(specs))
	for _, spec := range specs {
		img, err := s.loadOne(archive, spec)
		if err != nil {
			return images, fmt.Errorf("load %q: %w", path, err)
		}
		images = append(images, img)
	}
	return images, nil
}

func unpackArchive(path, dir string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	_, err = extractFile(path, root, false)
	return err
}

// readManifests finds the images: Docker's manifest.json first (it carries
// the tags; Docker 25+ writes both it and index.json), else index.json.
func readManifests(archive *os.Root) ([]loadSpec, error) {
	data, err := archive.ReadFile("manifest.json")
	if err == nil {
		return dockerManifests(data)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	data, err = archive.ReadFile("index.json")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errors.New("neither manifest.json (docker save) nor index.json (OCI image layout) found")
	}
	if err != nil {
		return nil, err
	}
	return ociManifests(archive, data)
}

func dockerManifests(data []byte) ([]loadSpec, error) {
	var entries []struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("parse manifest.json: %w", err)
	}
	specs := make([]loadSpec, 0, len(entries))
	for _, e := range entries {
		spec := loadSpec{config: e.Config}
		for _, t := range e.RepoTags {
			tag, err := NormalizeRef(t)
			if err != nil {
				return nil, fmt.Errorf("manifest.json: %w", err)
			}
			spec.tags = append(spec.tags, tag)
		}
		for _, l := range e.Layers {
			spec.layers = append(spec.layers, blobRef{path: l})
		}
		specs = append(specs, spec)
	}
	return specs, nil
}

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Annotations map[string]string `json:"annotations"`
	Platform    *struct {
		Architecture string `json:"architecture"`
		OS           string `json:"os"`
	} `json:"platform"`
}

// manifestOrIndex decodes either document; which fields are set tells them
// apart when the media type is missing.
type manifestOrIndex struct {
	MediaType string       `json:"mediaType"`
	Manifests []descriptor `json:"manifests"`
	Config    *descriptor  `json:"config"`
	Layers    []descriptor `json:"layers"`
}

func ociManifests(archive *os.Root, data []byte) ([]loadSpec, error) {
	var idx manifestOrIndex
	if err := json.Unmarshal(data, &idx); err != nil {
		return nil, fmt.Errorf("parse index.json: %w", err)
	}
	var specs []loadSpec
	for _, d := range idx.Manifests {
		tags, err := ociTags(d.Annotations)
		if err != nil {
			return nil, err
		}
		spec, err := resolveDescriptor(archive, d, tags, 0)
		if err != nil {
			return nil, err
		}
		specs = append(specs, spec)
	}
	if len(specs) == 0 {
		return nil, errors.New("index.json lists no images")
	}
	return specs, nil
}

// ociTags names an image from its annotations: containerd's full name, or
// an OCI ref.name that is a full reference. A bare tag ("latest") names no
// repository, so such an image loads untagged, as with Docker.
func ociTags(a map[string]string) ([]string, error) {
	name := a[annotationName]
	if name == "" {
		if ref := a[annotationRefName]; strings.ContainsAny(ref, ":/") {
			name = ref
		}
	}
	if name == "" {
		return nil, nil
	}
	tag, err := NormalizeRef(name)
	if err != nil {
		return nil, fmt.Errorf("index.json: %w", err)
	}
	return []string{tag}, nil
}

// resolveDescriptor follows an index down to the manifest for this
// machine's platform and returns that manifest's config and layers.
func resolveDescriptor(archive *os.Root, d descriptor, tags []string, depth int) (loadSpec, error) {
	if depth > maxIndexDepth {
		return loadSpec{}, errors.New("image indexes nest too deep")
	}
	p, err := blobPath(d.Digest)
	if err != nil {
		return loadSpec{}, err
	}
	data, err := readVerified(archive, p, d.Digest)
	if err != nil {
		return loadSpec{}, err
	}
	var doc manifestOrIndex
	if err := json.Unmarshal(data, &doc); err != nil {
		return loadSpec{}, fmt.Errorf("parse %s: %w", p, err)
	}
	mt := d.MediaType
	if mt == "" {
		mt = doc.MediaType
	}
	isIndex := mt == mediaOCIIndex || mt == mediaDockerList || (mt == "" && doc.Manifests != nil)
	isManifest := mt == mediaOCIManifest || mt == mediaDockerManif || (mt == "" && doc.Config != nil)
	switch {
	case isIndex:
		pick, err := pickPlatform(doc.Manifests)
		if err != nil {
			return loadSpec{}, err
		}
		if tags == nil {
			if tags, err = ociTags(pick.Annotations); err != nil {
				return loadSpec{}, err
			}
		}
		return resolveDescriptor(archive, pick, tags, depth+1)
	case isManifest:
		if doc.Config == nil {
			return loadSpec{}, fmt.Errorf("manifest %s has no config", d.Digest)
		}
		cp, err := blobPath(doc.Config.Digest)
		if err != nil {
			return loadSpec{}, err
		}
		spec := loadSpec{config: cp, configDigest: doc.Config.Digest, tags: tags}
		for _, l := range doc.Layers {
			lp, err := blobPath(l.Digest)
			if err != nil {
				return loadSpec{}, err
			}
			spec.layers = append(spec.layers, blobRef{path: lp, digest: l.Digest, mediaType: l.MediaType})
		}
		return spec, nil
	}
	return loadSpec{}, fmt.Errorf("descriptor %s: unsupported media type %q (want an OCI or Docker image manifest or index)", d.Digest, mt)
}

func pickPlatform(ds []descriptor) (descriptor, error) {
	var seen []string
	for _, d := range ds {
		if d.Platform == nil {
			return d, nil
		}
		if d.Platform.OS == "linux" && d.Platform.Architecture == runtime.GOARCH {
			return d, nil
		}
		seen = append(seen, d.Platform.OS+"/"+d.Platform.Architecture)
	}
	return descriptor{}, fmt.Errorf("the image index has no linux/%s image (it has %s)", runtime.GOARCH, strings.Join(seen, ", "))
}

// blobPath maps a digest to its file in an OCI layout. Only sha256 digests
// in canonical form are accepted, so a digest cannot smuggle a path.
func blobPath(digest string) (string, error) {
	m := digestRE.FindStringSubmatch(digest)
	if m == nil {
		return "", fmt.Errorf("unsupported digest %q: want sha256:<64 lowercase hex>", digest)
	}
	return "blobs/sha256/" + m[1], nil
}

func readVerified(archive *os.Root, p, digest string) ([]byte, error) {
	data, err := archive.ReadFile(p)
	if err != nil {
		return nil, err
	}
	if digest != "" && configID(data) != digest {
		return nil, fmt.Errorf("%s does not match its digest %s", p, digest)
	}
	return data, nil
}

// loadOne installs one image from the archive; an image already in the
// store (same config, so same ID) only gets the new tags.
func (s *Store) loadOne(archive *os.Root, spec loadSpec) (*Image, error) {
	config, err := readVerified(archive, spec.config, spec.configDigest)
	if err != nil {
		return nil, fmt.Errorf("read image config: %w", err)
	}
	if _, err := parseConfig(config); err != nil {
		return nil, fmt.Errorf("%s: %w", spec.config, err)
	}
	id := configID(config)
	hexID := strings.TrimPrefix(id, "sha256:")
	if existing, err := s.Get(id); err == nil {
		for _, tag := range spec.tags {
			if err := s.retag(hexID, tag); err != nil {
				return nil, err
			}
		}
		return s.Get(existing.ID)
	}
	return s.createLayered(archive, spec, config)
}
