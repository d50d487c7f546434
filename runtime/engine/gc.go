package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"berth/runtime/backend"
	"berth/runtime/container"
	"berth/runtime/hostmark"
	"berth/runtime/image"
	"berth/runtime/store"

	"github.com/moby/sys/mountinfo"
)

// GCReport counts what GC removed, and says what it had to leave.
type GCReport = backend.GCReport

// Lock files in the root. gcLockName lets one GC run at a time: two would
// race to recover the same containers. recordsLockName keeps GC from
// seeing a container directory whose record is still being written (see
// makeContainerDir): such a directory would pass for one a dead process
// left behind.
const (
	gcLockName      = "gc.lock"
	recordsLockName = "containers.lock"
)

// makeContainerDir creates a container's directory with its record in it.
// It holds the records lock shared, so creations run in parallel with each
// other but never while GC sorts live containers from dead ones.
func (e *Engine) makeContainerDir(dir string, rec record) error {
	lock, err := e.lockRecords(true)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	if err := os.Mkdir(dir, 0o710); err != nil {
		return fmt.Errorf("create container dir: %w", err)
	}
	if err := writeOwnerFile(dir, rec.Owner); err != nil {
		_ = os.RemoveAll(dir)
		return err
	}
	if err := store.WriteJSON(filepath.Join(dir, recordFile), rec); err != nil {
		_ = os.RemoveAll(dir)
		return err
	}
	return nil
}

// removeContainerDir deletes a container's directory, its record last, so
// GC still finds a half-removed container. The record and the directory go
// under the records lock, for GC never to see the directory without it.
func (e *Engine) removeContainerDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	for _, ent := range entries {
		if ent.Name() == recordFile {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, ent.Name())); err != nil {
			return err
		}
	}
	lock, err := e.lockRecords(true)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	return os.RemoveAll(dir)
}

// lockRecords takes the records lock, shared (creating and removing
// container directories) or exclusive (GC).
func (e *Engine) lockRecords(shared bool) (*store.Lock, error) {
	path := filepath.Join(e.root, recordsLockName)
	if shared {
		return store.RLockFile(path)
	}
	return store.LockFile(path)
}

// orphan is a container whose berth process is gone.
type orphan struct {
	id     string
	record bool // its directory under containers/ had a record
	dir    bool // it has a directory under containers/
}

// GC removes whatever berth processes that are no longer alive left under
// the root: their containers (reattached through libcontainer and killed),
// root filesystem mounts, cgroups, libcontainer state, container
// directories, networks and volumes; and on the host, the links and
// temporary directories berth marked for them. Containers of live berth
// processes, this one included, are left alone, even while they are being
// created or removed, and so is whatever GC cannot tell the owner of: the
// report's Left says what and why.
func (e *Engine) GC(ctx context.Context) (GCReport, error) {
	var rep GCReport
	lock, err := store.LockFile(filepath.Join(e.root, gcLockName))
	if err != nil {
		return rep, fmt.Errorf("gc: %w", err)
	}
	defer lock.Unlock()
	orphans, left, err := e.findOrphans()
	if err != nil {
		return rep, err
	}
	rep.Left = left
	var errs []error
	dead := map[string]bool{}
	for _, o := range orphans {
		dead[o.id] = true
		if err := e.removeOrphan(o, &rep); err != nil {
			errs = append(errs, err)
		}
	}
	n, err := container.RemoveCgroups(container.CgroupRoot, dead)
	rep.Cgroups += n
	errs = append(errs, err)
	nets, err := e.nets.GC()
	rep.Networks, rep.Links = nets.Networks, nets.Links
	rep.Left = append(rep.Left, nets.Left...)
	if err != nil {
		errs = append(errs, fmt.Errorf("gc: %w", err))
	}
	rep.Volumes, left, err = e.volumes.GC(e.volumeUses())
	rep.Left = append(rep.Left, left...)
	errs = append(errs, err)
	rep.TempDirs, left, err = hostmark.SweepTempDirs()
	rep.Left = append(rep.Left, left...)
	if err != nil {
		errs = append(errs, fmt.Errorf("gc: %w", err))
	}
	return rep, errors.Join(errs...)
}

// findOrphans lists the containers whose owner is dead, and says which
// ones it had to leave because it could not tell their owner. It holds the
// records lock, so every directory it sees has its record and owner file,
// and it lists libcontainer's state after the directories: a live process
// creates the directory first and removes the state first, so state
// without a directory seen here belongs to a dead process too.
func (e *Engine) findOrphans() (orphans []orphan, left []string, err error) {
	records, err := e.lockRecords(false)
	if err != nil {
		return nil, nil, fmt.Errorf("gc: %w", err)
	}
	defer records.Unlock()
	entries, err := os.ReadDir(containersDir(e.root))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("gc: %w", err)
	}
	seen := map[string]bool{}
	for _, ent := range entries {
		id := ent.Name()
		seen[id] = true
		o, err := containerOwner(e.containerDir(id))
		switch {
		case err == nil && o.alive():
			if damaged := recordDamage(e.containerDir(id)); damaged != nil {
				left = append(left, fmt.Sprintf("container %s: %v; its owner, process %d, is alive: left alone", id, damaged, o.Pid))
			}
			continue
		case err != nil && !errors.Is(err, errDiedCreating):
			dir := e.containerDir(id)
			left = append(left, fmt.Sprintf("container %s: %v; its owner is unknown, so it was left alone (if no berth run uses it, delete %s and %s: the next gc removes it)",
				id, err, filepath.Join(dir, recordFile), filepath.Join(dir, ownerFileName)))
			continue
		}
		orphans = append(orphans, orphan{id: id, record: err == nil, dir: true})
	}
	ids, err := e.runtime.List()
	if err != nil {
		return nil, nil, fmt.Errorf("gc: %w", err)
	}
	for _, id := range ids {
		if !seen[id] {
			orphans = append(orphans, orphan{id: id})
		}
	}
	return orphans, left, nil
}

// removeOrphan kills the container, destroys its libcontainer state,
// unmounts its root filesystem and deletes its directory.
func (e *Engine) removeOrphan(o orphan, rep *GCReport) error {
	state := filepath.Join(e.runtime.StateRoot(), o.id)
	_, err := os.Stat(state)
	hadState := err == nil
	if err := e.runtime.Recover(o.id); err != nil {
		return fmt.Errorf("gc: %w", err)
	}
	// State without state.json (the process died inside libcontainer's
	// start) is not loadable, so Recover leaves it: its processes die
	// with the cgroup.
	if err := os.RemoveAll(state); err != nil {
		return fmt.Errorf("gc: remove %s: %w", state, err)
	}
	if o.record || hadState {
		rep.Containers++
	}
	if !o.dir {
		return nil
	}
	dir := e.containerDir(o.id)
	if m, _ := mountinfo.Mounted(filepath.Join(dir, "rootfs")); m {
		rep.Mounts++
	}
	if err := image.UnmountRootfs(dir); err != nil {
		return fmt.Errorf("gc: %w", err)
	}
	if err := e.removeContainerDir(dir); err != nil {
		return fmt.Errorf("gc: remove %s: %w", dir, err)
	}
	rep.StateDirs++
	return nil
}
