package volume

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/moby/sys/mountinfo"

	"berth/runtime/spec"
	"berth/runtime/store"
)

const (
	dataDirName   = "_data"
	recordName    = "volume.json"
	lockName      = ".lock"
	stagingPrefix = ".creating-"
	trashPrefix   = ".removing-"
)

// Store is a directory of volumes. Several Stores, in one process or in
// several, may share a directory: changes are serialised by a file lock.
type Store struct {
	dir string
	// copyHook, when set (by tests), runs before each entry is copied up
	// and can fail the copy there.
	copyHook func(src string) error
}

// CreateOptions are the properties of a volume that Create makes. They are
// ignored when the volume exists already.
type CreateOptions struct {
	Labels    map[string]string
	Keep      bool
	Owner     string
	Anonymous bool // set as well when Create is given no name
}

// Open opens the store at dir (normally <root>/volumes), creating it if
// needed, and deletes what a crashed create or remove left behind.
func Open(dir string) (*Store, error) {
	// 0701 as Docker: others may reach a volume's path (a bind mount's
	// source) but not list the volumes.
	if err := os.MkdirAll(dir, 0o701); err != nil {
		return nil, fmt.Errorf("open volume store: %w", err)
	}
	s := &Store{dir: dir}
	if err := s.sweep(); err != nil {
		return nil, fmt.Errorf("open volume store %q: %w", dir, err)
	}
	return s, nil
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

// sweep deletes staging and trash directories. Both only exist while their
// creator holds the lock, so any seen under the lock are a crash's leftovers.
func (s *Store) sweep() error {
	return s.locked(func() error {
		names, err := readNames(s.dir)
		if err != nil {
			return err
		}
		var errs []error
		for _, n := range names {
			if strings.HasPrefix(n, stagingPrefix) || strings.HasPrefix(n, trashPrefix) {
				if err := os.RemoveAll(filepath.Join(s.dir, n)); err != nil {
					errs = append(errs, fmt.Errorf("remove leftover %q: %w", n, err))
				}
			}
		}
		return errors.Join(errs...)
	})
}

// locked runs fn holding the store's lock.
func (s *Store) locked(fn func() error) (err error) {
	l, err := store.LockFile(filepath.Join(s.dir, lockName))
	if err != nil {
		return err
	}
	defer func() {
		if uerr := l.Unlock(); uerr != nil && err == nil {
			err = uerr
		}
	}()
	return fn()
}

func (s *Store) volumeDir(name string) string { return filepath.Join(s.dir, name) }
func (s *Store) dataDir(name string) string   { return filepath.Join(s.dir, name, dataDirName) }
func (s *Store) recordPath(name string) string {
	return filepath.Join(s.dir, name, recordName)
}

func notFound(name string) error { return fmt.Errorf("get %s: %w", name, ErrNotFound) }

// Create makes the volume name, or returns it as it is if it exists
// (created is then false). An empty name creates an anonymous volume with a
// fresh 64-hex name. A bad name yields an error wrapping ErrInvalid, with
// Docker's text ("create a: volume name is too short, ...").
func (s *Store) Create(name string, opts CreateOptions) (v Volume, created bool, err error) {
	if name == "" {
		if name, err = anonymousName(); err != nil {
			return Volume{}, false, fmt.Errorf("create: %w", err)
		}
		opts.Anonymous = true
	}
	if err := ValidateName(name); err != nil {
		return Volume{}, false, fmt.Errorf("create %s: %w", name, err)
	}
	err = s.locked(func() error {
		existing, err := s.Get(name)
		if err == nil {
			v = existing
			return nil
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		v, err = s.create(name, opts)
		created = err == nil
		return err
	})
	if err != nil {
		return Volume{}, false, fmt.Errorf("create %s: %w", name, err)
	}
	return v, created, nil
}

// create builds the volume in a staging directory and renames it into
// place. The caller holds the lock and has checked that name is free.
func (s *Store) create(name string, opts CreateOptions) (Volume, error) {
	labels := maps.Clone(opts.Labels)
	if opts.Anonymous {
		if labels == nil {
			labels = map[string]string{}
		}
		labels[AnonymousLabel] = ""
	}
	rec := record{
		Name:      name,
		CreatedAt: time.Now().UTC().Truncate(time.Second),
		Labels:    labels,
		Anonymous: opts.Anonymous,
		Keep:      opts.Keep,
		Owner:     opts.Owner,
	}
	staging, err := os.MkdirTemp(s.dir, stagingPrefix+"*")
	if err != nil {
		return Volume{}, err
	}
	placed := false
	defer func() {
		if !placed {
			os.RemoveAll(staging) // best effort; Open sweeps what is left
		}
	}()
	// 0755 as Docker's local driver, for the volume directory and _data.
	if err := os.Chmod(staging, 0o755); err != nil {
		return Volume{}, err
	}
	data := filepath.Join(staging, dataDirName)
	if err := os.Mkdir(data, 0o755); err != nil {
		return Volume{}, err
	}
	if err := os.Chmod(data, 0o755); err != nil { // undo the umask
		return Volume{}, err
	}
	if err := store.WriteJSON(filepath.Join(staging, recordName), rec); err != nil {
		return Volume{}, err
	}
	if err := os.Rename(staging, s.volumeDir(name)); err != nil {
		return Volume{}, fmt.Errorf("place volume: %w", err)
	}
	placed = true
	if err := store.SyncDir(s.dir); err != nil {
		return Volume{}, err
	}
	return rec.volume(s.dataDir(name)), nil
}

// Get returns the volume name, or an error wrapping ErrNotFound with
// Docker's text ("get nosuchvol: no such volume").
func (s *Store) Get(name string) (Volume, error) {
	rec, err := s.read(name)
	if err != nil {
		return Volume{}, err
	}
	return rec.volume(s.dataDir(name)), nil
}

// read loads a volume's record. It needs no lock: records are replaced
// atomically and volumes appear and disappear by rename.
func (s *Store) read(name string) (record, error) {
	// A name that fails the rule cannot be a volume, and must not reach
	// the file system ("../x").
	if !spec.ValidName(name) {
		return record{}, notFound(name)
	}
	var rec record
	if err := store.ReadJSON(s.recordPath(name), &rec); err != nil {
		// ENOTDIR: a stray file with a volume's name.
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return record{}, notFound(name)
		}
		return record{}, fmt.Errorf("get %s: %w", name, err)
	}
	if rec.Name != name {
		return record{}, fmt.Errorf("get %s: record %q names volume %q", name, s.recordPath(name), rec.Name)
	}
	return rec, nil
}

// write replaces a volume's record. The caller holds the lock.
func (s *Store) write(rec record) error {
	return store.WriteJSON(s.recordPath(rec.Name), rec)
}

// List returns every volume whose record is readable, sorted by name
// (Scan also names the others).
func (s *Store) List() ([]Volume, error) {
	vols, _, err := s.Scan()
	return vols, err
}

// Damaged is a volume whose record cannot be read.
type Damaged struct {
	Name string
	Err  error
}

// Scan returns every volume, sorted by name, and apart those whose record
// cannot be read: one damaged record does not hide the others.
func (s *Store) Scan() ([]Volume, []Damaged, error) {
	names, err := readNames(s.dir)
	if err != nil {
		return nil, nil, fmt.Errorf("list volumes: %w", err)
	}
	slices.Sort(names)
	var out []Volume
	var bad []Damaged
	for _, n := range names {
		if !spec.ValidName(n) {
			continue // the lock file, leftovers of a crash
		}
		v, err := s.Get(n)
		if errors.Is(err, ErrNotFound) {
			continue // removed since readNames, or not a volume
		}
		if err != nil {
			bad = append(bad, Damaged{Name: n, Err: err})
			continue
		}
		out = append(out, v)
	}
	return out, bad, nil
}

// Remove deletes the volume name and its data. inUse lists the IDs of the
// containers that use it (the engine knows them, the store does not): if
// there are any, nothing is removed and the error wraps ErrInUse with
// Docker's text ("remove myvol: volume is in use - [id1, id2]"). A missing
// volume yields Get's error; one whose record is damaged is removed.
// Symlinks inside the volume are removed, never followed, and a volume
// with a file system mounted inside is refused rather than emptied
// through the mount.
func (s *Store) Remove(name string, inUse []string) error {
	return s.locked(func() error {
		// A volume whose record is damaged can still be removed: that is
		// the way out of the damage.
		if _, err := s.read(name); errors.Is(err, ErrNotFound) {
			return err
		}
		if len(inUse) > 0 {
			return fmt.Errorf("remove %s: %w - [%s]", name, ErrInUse, strings.Join(inUse, ", "))
		}
		dir := s.volumeDir(name)
		if err := checkNoMounts(dir); err != nil {
			return fmt.Errorf("remove %s: %w", name, err)
		}
		// Rename aside first: the volume disappears at once for readers
		// without the lock, and a crash mid-way leaves only trash.
		trash, err := os.MkdirTemp(s.dir, trashPrefix+"*")
		if err != nil {
			return fmt.Errorf("remove %s: %w", name, err)
		}
		aside := filepath.Join(trash, name)
		if err := os.Rename(dir, aside); err != nil {
			os.Remove(trash)
			return fmt.Errorf("remove %s: %w", name, err)
		}
		// os.RemoveAll deletes symlinks themselves and opens directories
		// with O_NOFOLLOW, so it never leaves the volume's tree.
		if err := os.RemoveAll(trash); err != nil {
			return fmt.Errorf("remove %s: %w", name, err)
		}
		return store.SyncDir(s.dir)
	})
}

// checkNoMounts refuses a directory with a mount point at or under it:
// removing it would delete another file system's content.
func checkNoMounts(dir string) error {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	mounts, err := mountinfo.GetMounts(mountinfo.PrefixFilter(real))
	if err != nil {
		return fmt.Errorf("read mount table: %w", err)
	}
	if len(mounts) > 0 {
		return fmt.Errorf("%s is a mount point: unmount it first", mounts[0].Mountpoint)
	}
	return nil
}

// readNames lists a directory's entries, unsorted.
func readNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", dir, err)
	}
	return names, nil
}
