package image

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"berth/runtime/store"
)

const (
	reposFile  = "repositories.json"
	lockFile   = "repositories.lock"
	configName = "config.json"
	metaName   = "meta.json"
	rootfsName = "rootfs"
	tmpPrefix  = ".tmp-"

	hostBusybox = "/bin/busybox"
	busyboxRef  = "busybox:latest"
)

// Store is the image store in one directory. Several Stores, in one process
// or in several berth processes, may share a directory.
type Store struct {
	dir       string
	busybox   string // the host binary the busybox image is built from
	tmpPrefix string // .tmp-<pid>-<start time>-: names this process's work dirs
	repaired  string // what Open did to a damaged tag table

	offline         bool          // contact no registry off this machine (SetOffline)
	registryTimeout time.Duration // how long a registry may stay silent
}

// SetOffline makes pulls and pushes refuse, at once, any registry not on
// loopback (tests and CI have no internet: a pull must fail clearly
// instead of waiting on DNS), and leaves credential helpers unrun. Call
// it before using the store.
func (s *Store) SetOffline(offline bool) { s.offline = offline }

// Offline reports whether SetOffline(true) was called.
func (s *Store) Offline() bool { return s.offline }

// meta holds what an image config does not: written once, with the image.
type meta struct {
	Size   int64
	Layers []string `json:",omitempty"` // hex diff-ids, bottom first (layers.go); none: a flat rootfs
}

// Open opens the store in dir (normally <berth root>/images), creating it,
// removes the work directories of berth processes that died mid-build, and
// moves a damaged tag table aside (see Repaired).
func Open(dir string) (*Store, error) {
	dir, err := filepath.Abs(dir) // RootDir goes into mount options
	if err != nil {
		return nil, fmt.Errorf("open image store: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open image store: %w", err)
	}
	pid := os.Getpid()
	start, err := store.ProcessStartTime(pid)
	if err != nil {
		return nil, fmt.Errorf("open image store: %w", err)
	}
	s := &Store{
		dir:       dir,
		busybox:   hostBusybox,
		tmpPrefix: fmt.Sprintf("%s%d-%d-", tmpPrefix, pid, start),

		registryTimeout: registryTimeout,
	}
	if err := s.removeStaleWork(); err != nil {
		return nil, fmt.Errorf("open image store: %w", err)
	}
	if s.repaired, err = s.repairRepos(); err != nil {
		return nil, fmt.Errorf("open image store: %w", err)
	}
	return s, nil
}

// removeStaleWork deletes .tmp-<pid>-<start>-* directories whose process is
// gone; a live process may still be building in its own.
func (s *Store) removeStaleWork() error {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), tmpPrefix)
		if !ok {
			continue
		}
		f := strings.SplitN(rest, "-", 3)
		if len(f) < 3 {
			continue
		}
		pid, err1 := strconv.Atoi(f[0])
		start, err2 := strconv.ParseUint(f[1], 10, 64)
		if err1 != nil || err2 != nil || store.ProcessAlive(pid, start) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(s.dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// Get finds an image by reference ("busybox", "busybox:latest",
// "docker.io/library/busybox:latest") or by ID or unique ID prefix. The
// busybox image is built on first use.
func (s *Store) Get(ref string) (*Image, error) {
	repos, err := s.readRepos()
	if err != nil {
		return nil, err
	}
	if hex, ok := fullID(ref); ok {
		return s.load(hex, repos, ref)
	}
	name, nameErr := NormalizeRef(ref)
	if nameErr == nil {
		if id, ok := repos[name]; ok {
			img, err := s.load(strings.TrimPrefix(id, "sha256:"), repos, name)
			if err == nil && name == busyboxRef && img.RootDir != "" {
				return s.ensureBusybox() // a flat busybox of an older berth: rebuilt in the layer store
			}
			return img, err
		}
	}
	if prefix, ok := idHex(ref); ok {
		hex, err := s.matchID(prefix)
		if err == nil {
			return s.load(hex, repos, ref)
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	if nameErr != nil {
		return nil, nameErr
	}
	if name == busyboxRef {
		return s.ensureBusybox()
	}
	return nil, notFound(name)
}

func notFound(ref string) error {
	return fmt.Errorf("%w: %s", ErrNotFound, ref)
}

// fullID accepts "sha256:<64 hex>" or bare 64 hex, which Docker always
// reads as an ID.
func fullID(ref string) (string, bool) {
	hex, ok := idHex(ref)
	return hex, ok && len(hex) == 64
}

// matchID returns the one stored image whose hex ID starts with prefix.
func (s *Store) matchID(prefix string) (string, error) {
	ids, err := s.imageIDs()
	if err != nil {
		return "", err
	}
	var found []string
	for _, id := range ids {
		if strings.HasPrefix(id, prefix) {
			found = append(found, id)
		}
	}
	switch len(found) {
	case 0:
		return "", notFound(prefix)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%w: image ID prefix %q matches %d images, give more digits", ErrConflict, prefix, len(found))
}

// imageIDs lists the hex IDs of the images on disk.
func (s *Store) imageIDs() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("list images: %w", err)
	}
	var ids []string
	for _, e := range entries {
		if hex, ok := fullID(e.Name()); ok && hex == e.Name() && e.IsDir() {
			ids = append(ids, hex)
		}
	}
	return ids, nil
}

// load reads image hex from disk; ref is what the caller asked for, for
// the not-found error.
func (s *Store) load(hex string, repos map[string]string, ref string) (*Image, error) {
	dir := filepath.Join(s.dir, hex)
	data, err := os.ReadFile(filepath.Join(dir, configName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notFound(ref)
	}
	if err != nil {
		return nil, fmt.Errorf("read image %s: %w", ref, err)
	}
	cf, err := parseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("read image %s: %w", ref, err)
	}
	var m meta
	if err := store.ReadJSON(filepath.Join(dir, metaName), &m); err != nil {
		return nil, fmt.Errorf("read image %s: %w", ref, err)
	}
	id := "sha256:" + hex
	var tags []string
	for tag, tid := range repos {
		if tid == id {
			tags = append(tags, tag)
		}
	}
	sort.Strings(tags)
	return &Image{
		ID:           id,
		RepoTags:     tags,
		Created:      cf.Created,
		Config:       cf.runConfig(),
		Size:         m.Size,
		RootDir:      flatRoot(dir, m),
		Layers:       s.layerPaths(m.Layers),
		architecture: orDefault(cf.Architecture, runtime.GOARCH),
		os:           orDefault(cf.OS, "linux"),
	}, nil
}

// List returns every image, newest first (as `docker image ls`), building
// busybox first if it is not there.
func (s *Store) List() ([]*Image, error) {
	repos, err := s.readRepos()
	if err != nil {
		return nil, err
	}
	if _, ok := repos[busyboxRef]; !ok {
		if _, err := s.ensureBusybox(); err != nil {
			return nil, err
		}
		if repos, err = s.readRepos(); err != nil {
			return nil, err
		}
	}
	ids, err := s.imageIDs()
	if err != nil {
		return nil, err
	}
	images := make([]*Image, 0, len(ids))
	for _, hex := range ids {
		img, err := s.load(hex, repos, hex)
		if errors.Is(err, ErrNotFound) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, err
		}
		images = append(images, img)
	}
	sort.Slice(images, func(i, j int) bool {
		if !images[i].Created.Equal(images[j].Created) {
			return images[i].Created.After(images[j].Created)
		}
		return images[i].ID < images[j].ID
	})
	return images, nil
}

// Tag gives the image src the additional name dst, moving dst if another
// image had it.
func (s *Store) Tag(src, dst string) error {
	name, err := NormalizeRef(dst)
	if err != nil {
		return err
	}
	img, err := s.Get(src)
	if err != nil {
		return fmt.Errorf("tag %s: %w", src, err)
	}
	if err := s.retag(strings.TrimPrefix(img.ID, "sha256:"), name); err != nil {
		return fmt.Errorf("tag %s: %w", src, err)
	}
	return nil
}

// Remove removes a tag, and the image data once no tag is left. Given an ID,
// it removes the image with its tag; an image with several tags must be
// untagged by name first (Docker's rule without --force).
func (s *Store) Remove(ref string) error {
	var doomed string // hex ID whose data goes
	err := s.withRepos(func(repos map[string]string) (bool, error) {
		id, untag, err := s.resolveForRemoval(ref, repos)
		if err != nil {
			return false, err
		}
		left := 0
		for tag, tid := range repos {
			if tid == id && !contains(untag, tag) {
				left++
			}
		}
		hex := strings.TrimPrefix(id, "sha256:")
		if left == 0 {
			busy, err := s.imageInUse(hex)
			if err != nil {
				return false, err
			}
			if busy {
				return false, fmt.Errorf("%w: unable to remove %s: image %s is used by a mounted container root filesystem",
					ErrInUse, ref, shortID(hex))
			}
			// Move the data out of sight while still holding the lock, so
			// nobody tags or reads a half-deleted image.
			doomed = s.tmpName("rm-" + hex)
			if err := os.Rename(filepath.Join(s.dir, hex), doomed); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return false, fmt.Errorf("remove image %s: %w", ref, err)
			}
			if err := s.removeUnusedLayers(); err != nil {
				return false, fmt.Errorf("remove image %s: %w", ref, err)
			}
		}
		for _, tag := range untag {
			delete(repos, tag)
		}
		return len(untag) > 0, nil
	})
	if err != nil {
		return err
	}
	if doomed != "" {
		if err := os.RemoveAll(doomed); err != nil {
			return fmt.Errorf("remove image %s: %w", ref, err)
		}
	}
	return nil
}

// resolveForRemoval finds the image ID ref names and the tags to drop.
func (s *Store) resolveForRemoval(ref string, repos map[string]string) (id string, untag []string, err error) {
	_, isID := fullID(ref)
	name, nameErr := NormalizeRef(ref)
	if !isID && nameErr == nil {
		if id, ok := repos[name]; ok {
			return id, []string{name}, nil
		}
	}
	prefix, ok := idHex(ref)
	if !ok {
		if nameErr != nil {
			return "", nil, nameErr
		}
		return "", nil, notFound(name)
	}
	hex, err := s.matchID(prefix)
	if errors.Is(err, ErrNotFound) {
		return "", nil, notFound(ref)
	}
	if err != nil {
		return "", nil, err
	}
	id = "sha256:" + hex
	for tag, tid := range repos {
		if tid == id {
			untag = append(untag, tag)
		}
	}
	if len(untag) > 1 {
		return "", nil, fmt.Errorf("%w: unable to delete %s (must be forced) - image is referenced in multiple repositories",
			ErrConflict, shortID(hex))
	}
	return id, untag, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func shortID(hex string) string {
	if len(hex) > 12 {
		return hex[:12]
	}
	return hex
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// withRepos runs fn on the tag table under the store lock and writes the
// table back when fn reports a change.
func (s *Store) withRepos(fn func(repos map[string]string) (changed bool, err error)) (err error) {
	lock, err := store.LockFile(filepath.Join(s.dir, lockFile))
	if err != nil {
		return fmt.Errorf("lock image store: %w", err)
	}
	defer func() {
		if uerr := lock.Unlock(); err == nil && uerr != nil {
			err = fmt.Errorf("unlock image store: %w", uerr)
		}
	}()
	repos, err := s.readRepos()
	if err != nil {
		return err
	}
	changed, err := fn(repos)
	if err != nil || !changed {
		return err
	}
	if err := store.WriteJSON(filepath.Join(s.dir, reposFile), repos); err != nil {
		return fmt.Errorf("write image tags: %w", err)
	}
	return nil
}

// tmpName is a path for work that is invisible to readers and is cleaned up
// by the next Open if this process dies.
func (s *Store) tmpName(what string) string {
	return filepath.Join(s.dir, s.tmpPrefix+what+"-"+strconv.FormatInt(time.Now().UnixNano(), 36))
}

// create builds an image: fill writes the root filesystem into rootfs and
// returns the image config JSON and the content size. The image appears in
// the store whole or not at all, under tags.
func (s *Store) create(tags []string, fill func(rootfs string) (config []byte, size int64, err error)) (img *Image, err error) {
	work, err := os.MkdirTemp(s.dir, s.tmpPrefix+"build-")
	if err != nil {
		return nil, fmt.Errorf("create image: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(work)
		}
	}()
	rootfs := filepath.Join(work, rootfsName)
	if err := os.Mkdir(rootfs, 0o755); err != nil {
		return nil, fmt.Errorf("create image: %w", err)
	}
	config, size, err := fill(rootfs)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(work, configName), config, 0o644); err != nil {
		return nil, fmt.Errorf("create image: %w", err)
	}
	if err := store.WriteJSON(filepath.Join(work, metaName), meta{Size: size}); err != nil {
		return nil, fmt.Errorf("create image: %w", err)
	}
	hex := strings.TrimPrefix(configID(config), "sha256:")
	if err := s.install(work, hex, tags); err != nil {
		return nil, err
	}
	repos, err := s.readRepos()
	if err != nil {
		return nil, err
	}
	return s.load(hex, repos, hex)
}

// install renames a finished work directory into place and sets the tags.
// An image with the same ID already there has the same content (the ID is
// the hash of its config): the new copy is discarded.
func (s *Store) install(work, hex string, tags []string) error {
	return s.installThen(work, hex, tags, func() {})
}

// installThen is install, calling inRepos under the repositories lock
// once the image is in place (or failed to be).
func (s *Store) installThen(work, hex string, tags []string, inRepos func()) error {
	duplicate := false
	var lost []string
	err := s.withRepos(func(repos map[string]string) (bool, error) {
		defer inRepos()
		before := maps.Clone(repos)
		err := os.Rename(work, filepath.Join(s.dir, hex))
		if errors.Is(err, fs.ErrExist) { // EEXIST or ENOTEMPTY
			duplicate = true
		} else if err != nil {
			return false, fmt.Errorf("install image: %w", err)
		}
		for _, tag := range tags {
			repos[tag] = "sha256:" + hex
		}
		lost = untagged(before, repos)
		return len(tags) > 0, nil
	})
	if err == nil {
		s.dropUntagged(lost)
	}
	if err == nil && duplicate {
		if err := os.RemoveAll(work); err != nil {
			return fmt.Errorf("discard duplicate image: %w", err)
		}
	}
	return err
}

// retag points tag at an image already on disk.
func (s *Store) retag(hex, tag string) error {
	var lost []string
	err := s.withRepos(func(repos map[string]string) (bool, error) {
		if _, err := os.Stat(filepath.Join(s.dir, hex, configName)); err != nil {
			return false, notFound(tag) // removed meanwhile
		}
		before := maps.Clone(repos)
		repos[tag] = "sha256:" + hex
		lost = untagged(before, repos)
		return true, nil
	})
	if err == nil {
		s.dropUntagged(lost)
	}
	return err
}
