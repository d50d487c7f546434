package fake

import (
	"context"
	"slices"
	"strings"

	"berth/runtime/backend"
	"berth/runtime/spec"
)

// SetRegistryImage puts img in the fake registry under ref, for Pull.
func (im *Images) SetRegistryImage(ref string, img backend.ImageInfo) error {
	name, err := spec.NormalizeImageRef(ref)
	if err != nil {
		return err
	}
	im.mu.Lock()
	defer im.mu.Unlock()
	img.RepoTags = nil
	im.registry[name] = img
	return nil
}

// RegistryImage is what the fake registry has under ref (after Push).
func (im *Images) RegistryImage(ref string) (backend.ImageInfo, bool) {
	name, err := spec.NormalizeImageRef(ref)
	if err != nil {
		return backend.ImageInfo{}, false
	}
	im.mu.Lock()
	defer im.mu.Unlock()
	img, ok := im.registry[name]
	return img, ok
}

func (im *Images) Pull(ctx context.Context, ref string, opts backend.PullOptions) (backend.ImageInfo, error) {
	name, err := spec.NormalizeImageRef(ref)
	if err != nil {
		return backend.ImageInfo{}, err
	}
	im.mu.Lock()
	defer im.mu.Unlock()
	img, ok := im.registry[name]
	if !ok {
		repo := name[:strings.LastIndexByte(name, ':')]
		return backend.ImageInfo{}, errorf(backend.ErrNoSuchImage, "pull access denied for %s, repository does not exist or may require 'docker login'", repo)
	}
	return im.addLocked(img, name), nil
}

func (im *Images) Push(ctx context.Context, ref string, opts backend.PushOptions) error {
	name, err := spec.NormalizeImageRef(ref)
	if err != nil {
		return err
	}
	im.mu.Lock()
	defer im.mu.Unlock()
	id, ok := im.tags[name]
	if !ok {
		return errorf(backend.ErrNoSuchImage, "An image does not exist locally with the tag: %s", strings.TrimSuffix(ref, ":latest"))
	}
	img := im.byID[id]
	im.registry[name] = img
	return nil
}

func (im *Images) Prune(ctx context.Context, opts backend.PruneOptions) (backend.PruneReport, error) {
	used := im.usedIDs()
	im.mu.Lock()
	defer im.mu.Unlock()
	var rep backend.PruneReport
	for id, img := range im.byID {
		tagged := len(im.withTagsLocked(id).RepoTags) > 0
		if used[id] || tagged && !opts.All {
			continue
		}
		for t, tid := range im.tags {
			if tid == id {
				delete(im.tags, t)
			}
		}
		delete(im.byID, id)
		rep.Deleted = append(rep.Deleted, id)
		rep.SpaceReclaimed += img.Size
	}
	slices.Sort(rep.Deleted)
	return rep, nil
}
