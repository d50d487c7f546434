package image

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"berth/runtime/store"
)

// Prune removes the images that have no tag and that no container uses
// (no mounted root filesystem has them as its layer), as docker image
// prune does; with all, every image no container uses (prune -a; busybox
// is built again on first use). It returns their IDs and the bytes freed:
// the layers no image uses any more, and the removed flat images.
func (s *Store) Prune(all bool) (removed []string, reclaimed int64, err error) {
	var doomed []string
	err = s.withRepos(func(repos map[string]string) (bool, error) {
		ids, err := s.imageIDs()
		if err != nil {
			return false, err
		}
		tagged := map[string]bool{}
		for _, id := range repos {
			tagged[strings.TrimPrefix(id, "sha256:")] = true
		}
		for _, hex := range ids {
			if tagged[hex] && !all {
				continue
			}
			var m meta
			flat := store.ReadJSON(filepath.Join(s.dir, hex, metaName), &m) == nil && len(m.Layers) == 0
			aside, err := s.moveAsideUnused(hex)
			if err != nil {
				return false, err
			}
			if aside != "" {
				doomed = append(doomed, aside)
				removed = append(removed, "sha256:"+hex)
				if flat {
					reclaimed += m.Size
				}
			}
		}
		changed := false
		if all {
			for name, id := range repos {
				if slices.Contains(removed, id) {
					delete(repos, name)
					changed = true
				}
			}
		}
		freed, err := s.removeUnusedLayersFreed()
		reclaimed += freed
		return changed, err
	})
	return removed, reclaimed, errors.Join(err, removeAll(doomed))
}

// moveAsideUnused moves image hex out of sight, unless a container uses
// it, and returns where to, for removal once the lock is released ("" if
// it stays). The caller holds the repositories lock.
func (s *Store) moveAsideUnused(hex string) (string, error) {
	busy, err := s.imageInUse(hex)
	if err != nil || busy {
		return "", err
	}
	aside := s.tmpName("rm-" + hex)
	if err := os.Rename(filepath.Join(s.dir, hex), aside); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil
		}
		return "", fmt.Errorf("remove image %s: %w", shortID(hex), err)
	}
	return aside, nil
}

// untagged lists the hex IDs of the images that had a tag in before and
// have none in after.
func untagged(before, after map[string]string) []string {
	left := map[string]bool{}
	for _, id := range after {
		left[id] = true
	}
	var lost []string
	for _, id := range before {
		hex := strings.TrimPrefix(id, "sha256:")
		if !left[id] && !slices.Contains(lost, hex) {
			lost = append(lost, hex)
		}
	}
	return lost
}

// dropUntagged removes the images of hexes that still have no tag, when
// no container uses them: a tag that moves to a new image (an import or a
// load under a name already taken, or a tag) takes the old image with it,
// instead of leaving it dangling as Docker does. A suite that imports its
// image on every run would otherwise pile up one untagged copy per run.
// It is best effort: an image that cannot go now (in use, or an error)
// stays, untagged, for Prune.
func (s *Store) dropUntagged(hexes []string) {
	if len(hexes) == 0 {
		return
	}
	var doomed []string
	_ = s.withRepos(func(repos map[string]string) (bool, error) {
		for _, id := range repos {
			hexes = slices.DeleteFunc(hexes, func(h string) bool { return "sha256:"+h == id })
		}
		for _, hex := range hexes {
			if aside, err := s.moveAsideUnused(hex); err == nil && aside != "" {
				doomed = append(doomed, aside)
			}
		}
		return false, s.removeUnusedLayers()
	})
	_ = removeAll(doomed)
}

func removeAll(paths []string) error {
	var errs []error
	for _, p := range paths {
		if err := os.RemoveAll(p); err != nil {
			errs = append(errs, fmt.Errorf("remove image: %w", err))
		}
	}
	return errors.Join(errs...)
}
