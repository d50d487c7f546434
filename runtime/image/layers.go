package image

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/sys/unix"

	"berth/runtime/store"
)

// The layer store: <store>/layers/<hex diff-id>/diff holds one layer's
// files as overlayfs reads them (whiteouts as 0/0 character devices, opaque
// directories marked with trusted.overlay.opaque), <hex>/meta.json its size.
const (
	layersDir    = "layers"
	layerDiff    = "diff"
	opaqueXattr  = "trusted.overlay.opaque"
	layerMetaTag = "meta.json"
	layersLock   = "layers.lock" // shared by loads in flight, see removeUnusedLayers
)

type layerMeta struct {
	Size int64
}

// layerRef is one layer of an image being loaded.
type layerRef struct {
	blob      blobRef
	diffID    v1.Hash // sha256 of the uncompressed tar, from the image config
	mediaType string  // "" when the archive format gives none
}

// knownLayerTypes are the layer media types berth extracts; foreign
// (non-distributable) layers and anything else are refused.
var knownLayerTypes = map[types.MediaType]bool{
	types.DockerLayer: true, types.DockerUncompressedLayer: true,
	types.OCILayer: true, types.OCIUncompressedLayer: true, types.OCILayerZStd: true,
}

func (s *Store) layerPath(hex string) string {
	return filepath.Join(s.dir, layersDir, hex, layerDiff)
}

func (s *Store) layerSize(hex string) (int64, bool) {
	var m layerMeta
	if err := store.ReadJSON(filepath.Join(s.dir, layersDir, hex, layerMetaTag), &m); err != nil {
		return 0, false
	}
	return m.Size, true
}

// ensureLayer unpacks l from the archive into the layer store unless it is
// there already. It returns the layer's size and whether this call made it.
// The layer is built in a work directory and renamed into place once its
// digests are verified, so nobody sees half a layer.
func (s *Store) ensureLayer(archive *os.Root, l layerRef) (size int64, created bool, err error) {
	hexID := l.diffID.Hex
	if size, ok := s.layerSize(hexID); ok {
		return size, false, nil
	}
	if l.mediaType != "" && !knownLayerTypes[types.MediaType(l.mediaType)] {
		return 0, false, fmt.Errorf("unsupported layer media type %q (want a tar, tar+gzip or tar+zstd layer)", l.mediaType)
	}
	if err := os.MkdirAll(filepath.Join(s.dir, layersDir), 0o700); err != nil {
		return 0, false, err
	}
	work, err := os.MkdirTemp(s.dir, s.tmpPrefix+"layer-")
	if err != nil {
		return 0, false, err
	}
	defer func() {
		if work != "" {
			os.RemoveAll(work)
		}
	}()
	// The layer's root is 0755 (past the umask) unless its "./" entry says otherwise.
	if err := os.Mkdir(filepath.Join(work, layerDiff), 0o755); err != nil {
		return 0, false, err
	}
	if err := os.Chmod(filepath.Join(work, layerDiff), 0o755); err != nil {
		return 0, false, err
	}
	if size, err = extractLayer(archive, l, filepath.Join(work, layerDiff)); err != nil {
		return 0, false, err
	}
	if err := store.WriteJSON(filepath.Join(work, layerMetaTag), layerMeta{Size: size}); err != nil {
		return 0, false, err
	}
	err = os.Rename(work, filepath.Join(s.dir, layersDir, hexID))
	if errors.Is(err, fs.ErrExist) { // another load made it meanwhile
		return size, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	work = ""
	return size, true, nil
}

// extractLayer writes the layer blob into dir, checking the blob against
// its digest (when the format gives one) and the uncompressed tar against
// the diff-id.
func extractLayer(archive *os.Root, l layerRef, dir string) (int64, error) {
	var f io.ReadCloser
	var err error
	if l.blob.open != nil {
		f, err = l.blob.open()
	} else {
		f, err = archive.Open(l.blob.path)
	}
	if err != nil {
		return 0, fmt.Errorf("open layer: %w", err)
	}
	defer f.Close()
	var blob io.Reader = f
	var blobHash hash.Hash
	if l.blob.digest != "" {
		blobHash = sha256.New()
		blob = io.TeeReader(f, blobHash)
	}
	stream, err := decompress(blob)
	if err != nil {
		return 0, err
	}
	defer stream.Close()
	diffHash := sha256.New()
	tarStream := io.TeeReader(stream, diffHash)
	root, err := os.OpenRoot(dir)
	if err != nil {
		return 0, err
	}
	defer root.Close()
	x := newExtractor(root, false)
	x.overlay = true
	if err := applyLayerTar(x, tarStream); err != nil {
		return 0, err
	}
	// The digests cover the tar's end padding and the compressed trailer too.
	if _, err := io.Copy(io.Discard, tarStream); err != nil {
		return 0, fmt.Errorf("read layer: %w", err)
	}
	if got := hex.EncodeToString(diffHash.Sum(nil)); got != l.diffID.Hex {
		return 0, fmt.Errorf("uncompressed layer does not match its diff-id %s (got sha256:%s)", l.diffID, got)
	}
	if blobHash != nil {
		if _, err := io.Copy(io.Discard, blob); err != nil {
			return 0, fmt.Errorf("read layer: %w", err)
		}
		if got := "sha256:" + hex.EncodeToString(blobHash.Sum(nil)); got != l.blob.digest {
			return 0, fmt.Errorf("layer blob does not match its digest %s (got %s)", l.blob.digest, got)
		}
	}
	return x.size, nil
}

func applyLayerTar(x *extractor, r io.Reader) error {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return x.endLayer()
		}
		if err != nil {
			return fmt.Errorf("read tar: %w", err)
		}
		if err := x.applyEntry(hdr, tr); err != nil {
			return err
		}
	}
}

// overlayEntry handles, for a layer kept as its own overlay layer, the
// entries that differ from a flattened extraction: whiteouts become what
// overlayfs reads, and device nodes and hard links to files of other
// layers are refused. done reports that the entry needs nothing more.
func (x *extractor) overlayEntry(hdr *tar.Header, name string) (done bool, err error) {
	switch hdr.Typeflag {
	case tar.TypeChar, tar.TypeBlock:
		return true, fmt.Errorf("refusing tar entry %q: device nodes are not allowed in an image layer", hdr.Name)
	case tar.TypeLink:
		target, ok := cleanEntryPath(hdr.Linkname)
		if !ok || target == "." {
			return true, fmt.Errorf("refusing tar entry %q: hard link target %q %w", hdr.Name, hdr.Linkname, errEscape)
		}
		if _, err := x.root.Lstat(target); err != nil {
			return true, fmt.Errorf("refusing tar entry %q: hard link target %q is not in this layer", hdr.Name, hdr.Linkname)
		}
		return false, nil
	}
	dir, base := path.Split(name)
	dir = path.Clean(dir)
	switch {
	case base == whiteoutOpaque:
		return true, x.markOpaque(hdr.Name, dir)
	case strings.Contains(name, whiteoutMeta):
		return true, nil // AUFS bookkeeping (.wh..wh.plnk, ...), not content
	case strings.HasPrefix(base, whiteoutPrefix):
		hidden := strings.TrimPrefix(base, whiteoutPrefix)
		if hidden == "" || hidden == "." || hidden == ".." || strings.Contains(hidden, "/") {
			return true, fmt.Errorf("whiteout %q: names no file", hdr.Name)
		}
		victim := path.Join(dir, hidden)
		x.markWritten(victim)
		return true, x.onParent(hdr.Name, victim, func(fd int, base string) error {
			if err := unix.Mknodat(fd, base, unix.S_IFCHR, 0); err != nil {
				return fmt.Errorf("whiteout %q: %w", hdr.Name, err)
			}
			return nil
		})
	}
	return false, nil
}

// markOpaque hides the lower layers' contents of dir (overlayfs' opaque
// directory).
func (x *extractor) markOpaque(entry, dir string) error {
	if dir != "." {
		if err := x.root.MkdirAll(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return x.resolveError(entry, path.Join(dir, whiteoutOpaque), err)
		}
	}
	f, err := x.root.Open(dir)
	if err != nil {
		return x.resolveError(entry, path.Join(dir, whiteoutOpaque), err)
	}
	defer f.Close()
	if err := unix.Fsetxattr(int(f.Fd()), opaqueXattr, []byte("y"), 0); err != nil {
		return fmt.Errorf("opaque whiteout %q: %w", entry, err)
	}
	x.markWritten(dir)
	return nil
}

// removeUnusedLayers deletes the layers no image on disk lists and no
// mounted overlay uses. The caller holds the repositories lock, so no image
// is being installed meanwhile. A load in flight (in any berth process)
// holds layers.lock shared: its layers are on disk but no image lists them
// yet, so then nothing is freed now; the next rm or prune frees them.
func (s *Store) removeUnusedLayers() error {
	_, err := s.removeUnusedLayersFreed()
	return err
}

// removeUnusedLayersFreed is removeUnusedLayers, also returning the bytes
// of the layers it removed.
func (s *Store) removeUnusedLayersFreed() (freed int64, err error) {
	lock, err := os.OpenFile(filepath.Join(s.dir, layersLock), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return freed, fmt.Errorf("lock layers: %w", err)
	}
	defer lock.Close() // releases the flock
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB); errors.Is(err, unix.EWOULDBLOCK) {
		return 0, nil
	} else if err != nil {
		return freed, fmt.Errorf("lock layers: %w", err)
	}
	entries, err := os.ReadDir(filepath.Join(s.dir, layersDir))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return freed, fmt.Errorf("list layers: %w", err)
	}
	used, err := s.usedLayers()
	if err != nil {
		return 0, err
	}
	stacks, err := mountedStacks()
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		if used[e.Name()] || slices.ContainsFunc(stacks, func(st []string) bool { return slices.Contains(st, s.layerPath(e.Name())) }) {
			continue
		}
		size, _ := s.layerSize(e.Name())
		aside := s.tmpName("rm-layer-" + e.Name())
		if err := os.Rename(filepath.Join(s.dir, layersDir, e.Name()), aside); err != nil {
			return freed, fmt.Errorf("remove layer %s: %w", e.Name(), err)
		}
		if err := os.RemoveAll(aside); err != nil {
			return freed, fmt.Errorf("remove layer %s: %w", e.Name(), err)
		}
		freed += size
	}
	return freed, nil
}

// usedLayers lists the hex diff-ids of the layers the images on disk use.
func (s *Store) usedLayers() (map[string]bool, error) {
	ids, err := s.imageIDs()
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, id := range ids {
		var m meta
		if err := store.ReadJSON(filepath.Join(s.dir, id, metaName), &m); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, fmt.Errorf("read image %s: %w", shortID(id), err)
		}
		for _, l := range m.Layers {
			used[l] = true
		}
	}
	return used, nil
}

// LayerCount is the number of layers in the layer store.
func (s *Store) LayerCount() (int, error) {
	entries, err := os.ReadDir(filepath.Join(s.dir, layersDir))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	return len(entries), err
}

// zstdStream names zstd in the errors of a damaged stream.
type zstdStream struct{ d *zstd.Decoder }

func (z zstdStream) Read(p []byte) (int, error) {
	n, err := z.d.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("read zstd: %w", err)
	}
	return n, err
}

func (z zstdStream) Close() error {
	z.d.Close()
	return nil
}
