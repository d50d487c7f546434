package engine

import (
	"context"
	"io"

	"berth/runtime/backend"
	"berth/runtime/image"
)

// images is the image store as the seam shows it.
type images struct{ st *image.Store }

var _ backend.Images = images{}

func (s images) List(ctx context.Context) ([]backend.ImageInfo, error) {
	list, err := s.st.List()
	if err != nil {
		return nil, classify(err)
	}
	return imageInfos(list), nil
}

func (s images) Get(ctx context.Context, ref string) (backend.ImageInfo, error) {
	img, err := s.st.Get(ref)
	if err != nil {
		return backend.ImageInfo{}, classify(err)
	}
	return img.Info(), nil
}

func (s images) Load(ctx context.Context, path string) ([]backend.ImageInfo, error) {
	list, err := s.st.Load(path)
	if err != nil {
		return nil, classify(err)
	}
	return imageInfos(list), nil
}

func (s images) ImportRootfs(ctx context.Context, path, ref string) (backend.ImageInfo, error) {
	img, err := s.st.ImportRootfs(path, ref)
	if err != nil {
		return backend.ImageInfo{}, classify(err)
	}
	return img.Info(), nil
}

func (s images) Tag(ctx context.Context, src, dst string) error {
	return classify(s.st.Tag(src, dst))
}

func (s images) Remove(ctx context.Context, ref string) error {
	return classify(s.st.Remove(ref))
}

func (s images) Pull(ctx context.Context, ref string, opts backend.PullOptions) (backend.ImageInfo, error) {
	img, err := s.st.Pull(ctx, ref, opts)
	if err != nil {
		return backend.ImageInfo{}, classify(err)
	}
	return img.Info(), nil
}

func (s images) Push(ctx context.Context, ref string, opts backend.PushOptions) error {
	if opts.AllTags {
		return notImplemented("push --all-tags", "10")
	}
	return classify(s.st.Push(ctx, ref, opts))
}

func (s images) Save(ctx context.Context, refs []string, w io.Writer) error {
	return classify(s.st.Save(refs, w))
}

// Prune removes the images without a tag that no container uses, or with
// All every image no container uses (docker image prune [-a]).
func (s images) Prune(ctx context.Context, opts backend.PruneOptions) (backend.PruneReport, error) {
	removed, reclaimed, err := s.st.Prune(opts.All)
	return backend.PruneReport{Deleted: removed, SpaceReclaimed: reclaimed}, classify(err)
}

func imageInfos(list []*image.Image) []backend.ImageInfo {
	out := make([]backend.ImageInfo, 0, len(list))
	for _, img := range list {
		out = append(out, img.Info())
	}
	return out
}
