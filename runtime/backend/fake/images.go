package fake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"berth/runtime/backend"
	"berth/runtime/spec"
)

// Images is the fake image store: busybox from the start, images made by
// ImportRootfs and Commit, and a registry in memory for Pull and Push.
type Images struct {
	b *Backend

	mu       sync.Mutex
	byID     map[string]backend.ImageInfo // RepoTags left empty: tags is the truth
	tags     map[string]string            // "name:tag" → id
	registry map[string]backend.ImageInfo // "name:tag" → image
	seq      int
}

var _ backend.Images = (*Images)(nil)

// defaultPath is Docker's PATH for images that set none.
const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

func newImages(b *Backend) *Images {
	im := &Images{b: b, byID: map[string]backend.ImageInfo{}, tags: map[string]string{}, registry: map[string]backend.ImageInfo{}}
	im.addLocked(backend.ImageInfo{
		ID: digest("fake busybox"), Created: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Size: 1 << 20,
		OS: "linux", Architecture: runtime.GOARCH,
		Config: backend.ImageConfig{Env: []string{defaultPath}, Cmd: []string{"sh"}},
	}, "busybox:latest")
	return im
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// addLocked stores img under the tags given. The caller holds im.mu.
func (im *Images) addLocked(img backend.ImageInfo, tags ...string) backend.ImageInfo {
	img.RepoTags = nil
	im.byID[img.ID] = img
	for _, t := range tags {
		im.tags[t] = img.ID
	}
	return im.withTagsLocked(img.ID)
}

// withTagsLocked is the image id with its tags. The caller holds im.mu.
func (im *Images) withTagsLocked(id string) backend.ImageInfo {
	img := im.byID[id]
	img.RepoTags = []string{}
	for t, tid := range im.tags {
		if tid == id {
			img.RepoTags = append(img.RepoTags, t)
		}
	}
	slices.Sort(img.RepoTags)
	return img
}

func (im *Images) List(ctx context.Context) ([]backend.ImageInfo, error) {
	im.mu.Lock()
	defer im.mu.Unlock()
	var out []backend.ImageInfo
	for _, id := range slices.Sorted(maps.Keys(im.byID)) {
		out = append(out, im.withTagsLocked(id))
	}
	return out, nil
}

func (im *Images) Get(ctx context.Context, ref string) (backend.ImageInfo, error) {
	im.mu.Lock()
	defer im.mu.Unlock()
	id, err := im.resolveLocked(ref)
	if err != nil {
		return backend.ImageInfo{}, err
	}
	return im.withTagsLocked(id), nil
}

// resolveLocked finds the id of ref: a full id, a name, or a unique id
// prefix. The caller holds im.mu.
func (im *Images) resolveLocked(ref string) (string, error) {
	if _, ok := im.byID[ref]; ok {
		return ref, nil
	}
	if _, ok := im.byID["sha256:"+ref]; ok && len(ref) == 64 {
		return "sha256:" + ref, nil
	}
	name, nameErr := spec.NormalizeImageRef(ref)
	if nameErr == nil {
		if id, ok := im.tags[name]; ok {
			return id, nil
		}
	}
	var matches []string
	for id := range im.byID {
		if hexPart := strings.TrimPrefix(ref, "sha256:"); hexPart != "" && strings.HasPrefix(id, "sha256:"+hexPart) {
			matches = append(matches, id)
		}
	}
	if len(matches) == 1 {
		return matches[0], nil
	}
	if nameErr != nil {
		return "", nameErr
	}
	return "", errorf(backend.ErrNoSuchImage, "No such image: %s", name)
}

func (im *Images) Tag(ctx context.Context, src, dst string) error {
	name, err := spec.NormalizeImageRef(dst)
	if err != nil {
		return err
	}
	im.mu.Lock()
	defer im.mu.Unlock()
	id, err := im.resolveLocked(src)
	if err != nil {
		return fmt.Errorf("tag %s: %w", src, err)
	}
	im.tags[name] = id
	return nil
}

// Remove untags a name, or removes an image by id, and drops the image
// once no tag is left, unless a container uses it.
func (im *Images) Remove(ctx context.Context, ref string) error {
	used := im.usedIDs()
	im.mu.Lock()
	defer im.mu.Unlock()
	id, err := im.resolveLocked(ref)
	if err != nil {
		return err
	}
	var untag []string
	if name, err := spec.NormalizeImageRef(ref); err == nil && im.tags[name] == id {
		untag = []string{name}
	} else if untag = im.withTagsLocked(id).RepoTags; len(untag) > 1 {
		return errorf(backend.ErrImageConflict, "conflict: unable to delete %s (must be forced) - image is referenced in multiple repositories", strings.TrimPrefix(id, "sha256:")[:12])
	}
	left := len(im.withTagsLocked(id).RepoTags) - len(untag)
	if left == 0 && used[id] {
		return errorf(backend.ErrImageConflict, "conflict: unable to remove repository reference %q (must force) - a container is using its referenced image %s", ref, strings.TrimPrefix(id, "sha256:")[:12])
	}
	for _, t := range untag {
		delete(im.tags, t)
	}
	if left == 0 {
		delete(im.byID, id)
	}
	return nil
}

// usedIDs are the images of the containers not removed.
func (im *Images) usedIDs() map[string]bool {
	used := map[string]bool{}
	for _, c := range im.b.Containers() {
		used[c.image.ID] = true
	}
	return used
}

func (im *Images) ImportRootfs(ctx context.Context, path, ref string) (backend.ImageInfo, error) {
	name, err := spec.NormalizeImageRef(ref)
	if err != nil {
		return backend.ImageInfo{}, err
	}
	im.mu.Lock()
	defer im.mu.Unlock()
	im.seq++
	return im.addLocked(backend.ImageInfo{
		ID: digest(fmt.Sprintf("import %s %s %d", path, name, im.seq)), Created: time.Now().UTC(),
		OS: "linux", Architecture: runtime.GOARCH, Config: backend.ImageConfig{Env: []string{defaultPath}},
	}, name), nil
}

// add stores a new image (a commit) under ref, if any.
func (im *Images) add(img backend.ImageInfo, ref string) (backend.ImageInfo, error) {
	var tags []string
	if ref != "" {
		name, err := spec.NormalizeImageRef(ref)
		if err != nil {
			return backend.ImageInfo{}, err
		}
		tags = append(tags, name)
	}
	im.mu.Lock()
	defer im.mu.Unlock()
	im.seq++
	img.ID = digest(fmt.Sprintf("image %d %v", im.seq, img.Config))
	return im.addLocked(img, tags...), nil
}

// saveFile is what Save writes and Load reads: the fake's own format.
type saveFile struct {
	FakeSave []backend.ImageInfo `json:"fake-save"`
}

func (im *Images) Save(ctx context.Context, refs []string, w io.Writer) error {
	var f saveFile
	for _, ref := range refs {
		img, err := im.Get(ctx, ref)
		if err != nil {
			return err
		}
		f.FakeSave = append(f.FakeSave, img)
	}
	return json.NewEncoder(w).Encode(f)
}

func (im *Images) Load(ctx context.Context, path string) ([]backend.ImageInfo, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f saveFile
	if err := json.Unmarshal(data, &f); err != nil || f.FakeSave == nil {
		return nil, fmt.Errorf("load %s: not a file the fake's Save wrote", path)
	}
	im.mu.Lock()
	defer im.mu.Unlock()
	var out []backend.ImageInfo
	for _, img := range f.FakeSave {
		out = append(out, im.addLocked(img, img.RepoTags...))
	}
	return out, nil
}
