package engine

import (
	"context"
	"io"
	"slices"
	"strings"

	"berth/runtime/backend"
	"berth/runtime/image"
	"berth/runtime/kinderr"
	"berth/runtime/spec"
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
	if !opts.AllTags {
		return classify(s.st.Push(ctx, ref, opts))
	}
	refs, err := s.tagsOf(ref)
	if err != nil {
		return err
	}
	opts.AllTags = false
	for _, r := range refs {
		if err := s.st.Push(ctx, r, opts); err != nil {
			return classify(err)
		}
	}
	return nil
}

// tagsOf lists the stored tags of repository repo, for docker push
// --all-tags: a name without a tag, as Docker requires.
func (s images) tagsOf(repo string) ([]string, error) {
	norm, err := spec.NormalizeImageRef(repo)
	if err != nil {
		return nil, kinderr.Errorf(backend.ErrInvalid, "push %s: %v", repo, err)
	}
	if last := repo[strings.LastIndexByte(repo, '/')+1:]; strings.Contains(last, ":") {
		return nil, kinderr.Errorf(backend.ErrInvalid, "push %s: tag can't be used with --all-tags/-a", repo)
	}
	name := strings.TrimSuffix(norm, ":latest") // repo has no tag: normalising added this one
	list, err := s.st.List()
	if err != nil {
		return nil, classify(err)
	}
	var refs []string
	for _, img := range list {
		for _, t := range img.RepoTags {
			if strings.HasPrefix(t, name+":") {
				refs = append(refs, t)
			}
		}
	}
	if len(refs) == 0 {
		return nil, kinderr.Errorf(backend.ErrNoSuchImage, "An image does not exist locally with the tag: %s", repo)
	}
	slices.Sort(refs)
	return refs, nil
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
