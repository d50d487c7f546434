package backend

import (
	"context"
	"io"
	"time"
)

// Images is a backend's image store. Paths are on the machine berth runs
// on; a remote backend sends the files.
type Images interface {
	// List lists the images (docker image ls).
	List(ctx context.Context) ([]ImageInfo, error)
	// Get finds an image by reference ("busybox", "busybox:latest",
	// "docker.io/library/busybox:latest"), id or unique id prefix, with
	// Docker's text ("No such image: nosuch:latest", ErrNoSuchImage).
	// "busybox" is always there.
	Get(ctx context.Context, ref string) (ImageInfo, error)
	// Load loads a docker save tarball or an OCI layout (a directory or
	// its tarball) (docker load).
	Load(ctx context.Context, path string) ([]ImageInfo, error)
	// ImportRootfs makes an image of a root filesystem, a directory or a
	// tarball, tagged ref (docker import).
	ImportRootfs(ctx context.Context, path, ref string) (ImageInfo, error)
	// Tag gives the image src the name dst too (docker tag).
	Tag(ctx context.Context, src, dst string) error
	// Remove removes a tag, and the image once no tag is left (docker
	// rmi); an image with several tags is untagged by name first.
	Remove(ctx context.Context, ref string) error
	// Pull fetches an image from its registry (docker pull).
	Pull(ctx context.Context, ref string, opts PullOptions) (ImageInfo, error)
	// Push sends an image to the registry its name says (docker push).
	Push(ctx context.Context, ref string, opts PushOptions) error
	// Save writes the images as one docker save tarball (docker save).
	Save(ctx context.Context, refs []string, w io.Writer) error
	// Prune removes dangling images, or with All every image no
	// container uses (docker image prune).
	Prune(ctx context.Context, opts PruneOptions) (PruneReport, error)
}

// ImageInfo is an image of the store.
type ImageInfo struct {
	ID           string   // "sha256:<64 hex>" of the image's config
	RepoTags     []string // "busybox:latest", sorted
	Created      time.Time
	Size         int64
	OS           string
	Architecture string
	Config       ImageConfig
	Layers       []string // the layers' diff-ids ("sha256:<hex>"), bottom first: RootFS.Layers
}

// ImageConfig is the part of an image's config that decides how its
// containers run.
type ImageConfig struct {
	Env          []string
	Cmd          []string
	Entrypoint   []string
	WorkingDir   string
	User         string
	ExposedPorts []string // "80/tcp", sorted
	Labels       map[string]string
	Volumes      []string // sorted
	StopSignal   string
	Healthcheck  *Healthcheck
}

// PullOptions are docker pull's flags.
type PullOptions struct {
	Platform string // "linux/amd64"; "" for the host's
	Insecure bool   // plain HTTP to a registry not on loopback
	Auth     Auth
	// Progress, when set, is told how each layer's download goes. It is
	// called from the goroutines that download, several at once.
	Progress func(LayerProgress)
}

// Auth is the credentials of a pull or push; empty, those of
// ~/.docker/config.json.
type Auth struct {
	Username string
	Password string
}

// LayerProgress is where the download of one layer stands.
type LayerProgress struct {
	Layer  string // the blob's digest, "sha256:<hex>"
	Done   int64  // bytes downloaded so far
	Total  int64  // bytes of the blob; 0 if unknown
	Stored bool   // already in the store: not downloaded
	Finish bool   // downloaded (or failed): no more reports for it
}

// PushOptions are docker push's flags.
type PushOptions struct {
	AllTags  bool
	Insecure bool // plain HTTP to a registry not on loopback
	Auth     Auth
}

// PruneOptions are docker image prune's flags.
type PruneOptions struct {
	All bool // every image no container uses, not only untagged ones
}

// PruneReport is what a prune removed.
type PruneReport struct {
	Deleted        []string // image ids
	SpaceReclaimed int64    // bytes
}

// Inspect is docker image inspect's document (null where Docker shows
// null: unset lists, sets and labels).
func (img ImageInfo) Inspect() map[string]any {
	c := img.Config
	config := map[string]any{
		"Env":          nilIfEmpty(StringList(c.Env)),
		"Cmd":          nilIfEmpty(StringList(c.Cmd)),
		"Entrypoint":   nilIfEmpty(StringList(c.Entrypoint)),
		"WorkingDir":   c.WorkingDir,
		"User":         c.User,
		"ExposedPorts": setOf(c.ExposedPorts),
		"Labels":       labelsOf(c.Labels),
		"Volumes":      setOf(c.Volumes),
	}
	if c.StopSignal != "" {
		config["StopSignal"] = c.StopSignal
	}
	if c.Healthcheck != nil {
		config["Healthcheck"] = c.Healthcheck.inspect()
	}
	return map[string]any{
		"Id":           img.ID,
		"RepoTags":     nonNil(StringList(img.RepoTags)),
		"RepoDigests":  []any{},
		"Created":      img.Created.UTC().Format(time.RFC3339Nano),
		"Size":         img.Size,
		"Os":           img.OS,
		"Architecture": img.Architecture,
		"Config":       config,
		"RootFS":       map[string]any{"Type": "layers", "Layers": nonNil(StringList(img.Layers))},
	}
}

// Summary is the entry of image ls: Id, RepoTags, Size and Created.
func (img ImageInfo) Summary() map[string]any {
	doc := img.Inspect()
	return map[string]any{"Id": doc["Id"], "RepoTags": doc["RepoTags"], "Size": doc["Size"], "Created": doc["Created"]}
}

func nonNil(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}

func nilIfEmpty(v []any) any {
	if len(v) == 0 {
		return nil
	}
	return v
}

// setOf renders a Docker "set" ({"80/tcp": {}}), null when empty.
func setOf(keys []string) any {
	if len(keys) == 0 {
		return nil
	}
	m := make(map[string]any, len(keys))
	for _, k := range keys {
		m[k] = map[string]any{}
	}
	return m
}

func labelsOf(labels map[string]string) any {
	if len(labels) == 0 {
		return nil
	}
	return StringMap(labels)
}
