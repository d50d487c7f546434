package containerdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/moby/sys/mountinfo"

	"berth/runtime/image"
)

// Runtime is the container runtime whose state GC sorts and removes with
// the directories (container.Runtime).
type Runtime interface {
	// List returns the ids the runtime has state for.
	List() ([]string, error)
	// RemoveOrphan kills and destroys a dead process's container, and
	// says whether it had state.
	RemoveOrphan(id string) (hadState bool, err error)
}

// Orphan is a container whose berth process is gone.
type Orphan struct {
	ID     string
	Record bool // its directory under containers/ had a record
	Dir    bool // it has a directory under containers/
}

// Orphans are the containers GC removes.
type Orphans []Orphan

// IDs is the set of the orphans' ids.
func (orphans Orphans) IDs() map[string]bool {
	ids := map[string]bool{}
	for _, o := range orphans {
		ids[o.ID] = true
	}
	return ids
}

// Orphans lists the containers whose owner is dead, and says which ones
// it had to leave because it could not tell their owner. It holds the
// records lock, so every directory it sees has its record and owner file,
// and it lists the runtime's state after the directories: a live process
// creates the directory first and removes the state first, so state
// without a directory seen here belongs to a dead process too.
func (d Dirs) Orphans(rt Runtime) (orphans Orphans, left []string, err error) {
	records, err := d.lock(false)
	if err != nil {
		return nil, nil, fmt.Errorf("gc: %w", err)
	}
	defer records.Unlock()
	entries, err := os.ReadDir(d.Path())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("gc: %w", err)
	}
	seen := map[string]bool{}
	for _, ent := range entries {
		id := ent.Name()
		seen[id] = true
		dir := d.Dir(id)
		o, err := Owner(dir)
		switch {
		case err == nil && o.Alive():
			if damaged := recordDamage(dir); damaged != nil {
				left = append(left, fmt.Sprintf("container %s: %v; its owner, process %d, is alive: left alone", id, damaged, o.Pid))
			}
			continue
		case err != nil && !errors.Is(err, ErrDiedCreating):
			left = append(left, fmt.Sprintf("container %s: %v; its owner is unknown, so it was left alone (if no berth run uses it, delete %s and %s: the next gc removes it)",
				id, err, filepath.Join(dir, RecordFile), filepath.Join(dir, OwnerFile)))
			continue
		}
		orphans = append(orphans, Orphan{ID: id, Record: err == nil, Dir: true})
	}
	ids, err := rt.List()
	if err != nil {
		return nil, nil, fmt.Errorf("gc: %w", err)
	}
	for _, id := range ids {
		if !seen[id] {
			orphans = append(orphans, Orphan{ID: id})
		}
	}
	return orphans, left, nil
}

// Removed counts what RemoveOrphans removed.
type Removed struct {
	Containers int // containers with a record or runtime state
	Mounts     int // root filesystems unmounted
	StateDirs  int // container directories
}

// RemoveOrphans kills each orphan and destroys its runtime state, unmounts
// its root filesystem and deletes its directory. An orphan that fails
// does not stop the others.
func (d Dirs) RemoveOrphans(orphans Orphans, rt Runtime) (Removed, error) {
	var rm Removed
	var errs []error
	for _, o := range orphans {
		if err := d.removeOrphan(o, rt, &rm); err != nil {
			errs = append(errs, err)
		}
	}
	return rm, errors.Join(errs...)
}

func (d Dirs) removeOrphan(o Orphan, rt Runtime, rm *Removed) error {
	hadState, err := rt.RemoveOrphan(o.ID)
	if err != nil {
		return fmt.Errorf("gc: %w", err)
	}
	if o.Record || hadState {
		rm.Containers++
	}
	if !o.Dir {
		return nil
	}
	dir := d.Dir(o.ID)
	if m, _ := mountinfo.Mounted(filepath.Join(dir, "rootfs")); m {
		rm.Mounts++
	}
	if err := image.UnmountRootfs(dir); err != nil {
		return fmt.Errorf("gc: %w", err)
	}
	if err := d.Remove(o.ID); err != nil {
		return fmt.Errorf("gc: remove %s: %w", dir, err)
	}
	rm.StateDirs++
	return nil
}
