package engine

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"berth/runtime/container"
	"berth/runtime/image"
	"berth/runtime/store"
)

// GCReport counts what GC removed.
type GCReport struct {
	Containers int // containers killed and destroyed
	Mounts     int // root filesystems unmounted
	Cgroups    int // cgroup directories removed
	StateDirs  int // container directories removed
	Volumes    int // volumes of dead runs removed
	Networks   int // networks of dead runs removed, with their bridges
}

func (r GCReport) String() string {
	return fmt.Sprintf("removed %d containers, %d mounts, %d cgroups, %d state directories, %d volumes, %d networks",
		r.Containers, r.Mounts, r.Cgroups, r.StateDirs, r.Volumes, r.Networks)
}

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
// root filesystem mounts, cgroups, libcontainer state and container
// directories. Containers of live berth processes, this one included, are
// left alone, even while they are being created or removed.
func (e *Engine) GC() (GCReport, error) {
	var rep GCReport
	lock, err := store.LockFile(filepath.Join(e.root, gcLockName))
	if err != nil {
		return rep, fmt.Errorf("gc: %w", err)
	}
	defer lock.Unlock()
	orphans, err := e.findOrphans()
	if err != nil {
		return rep, err
	}
	var errs []error
	dead := map[string]bool{}
	for _, o := range orphans {
		dead[o.id] = true
		if err := e.removeOrphan(o, &rep); err != nil {
			errs = append(errs, err)
		}
	}
	n, err := removeStaleCgroups(dead)
	rep.Cgroups += n
	if err != nil {
		errs = append(errs, err)
	}
	rep.Networks, err = e.nets.GC()
	if err != nil {
		errs = append(errs, fmt.Errorf("gc: %w", err))
	}
	rep.Volumes, err = e.gcVolumes()
	if err != nil {
		errs = append(errs, err)
	}
	return rep, errors.Join(errs...)
}

// findOrphans lists the containers whose owner is dead. It holds the
// records lock, so every directory it sees has its record, and it lists
// libcontainer's state after the directories: a live process creates the
// directory first and removes the state first, so state without a
// directory seen here belongs to a dead process too.
func (e *Engine) findOrphans() ([]orphan, error) {
	records, err := e.lockRecords(false)
	if err != nil {
		return nil, fmt.Errorf("gc: %w", err)
	}
	defer records.Unlock()
	entries, err := os.ReadDir(containersDir(e.root))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("gc: %w", err)
	}
	var orphans []orphan
	seen := map[string]bool{}
	for _, ent := range entries {
		id := ent.Name()
		seen[id] = true
		var rec record
		// Without a record, the process died between creating the
		// directory and writing the record: the lock rules out a live
		// one in between.
		err := store.ReadJSON(filepath.Join(e.containerDir(id), recordFile), &rec)
		if err == nil && rec.Owner.alive() {
			continue
		}
		orphans = append(orphans, orphan{id: id, record: err == nil, dir: true})
	}
	ids, err := e.runtime.List()
	if err != nil {
		return nil, fmt.Errorf("gc: %w", err)
	}
	for _, id := range ids {
		if !seen[id] {
			orphans = append(orphans, orphan{id: id})
		}
	}
	return orphans, nil
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
	if mounted(filepath.Join(dir, "rootfs")) {
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

// mounted reports whether path is a mount point.
func mounted(path string) bool {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && fields[4] == path {
			return true
		}
	}
	return false
}

// cgroupDirs lists the directories berth's cgroups can be in: each v1
// hierarchy and the v2 (unified) root.
func cgroupDirs() []string {
	const base = "/sys/fs/cgroup"
	if _, err := os.Stat(filepath.Join(base, "cgroup.controllers")); err == nil {
		return []string{base} // pure cgroup v2
	}
	entries, _ := os.ReadDir(base)
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join(base, e.Name()))
		}
	}
	return dirs
}

// removeStaleCgroups kills what still runs in the cgroups of dead
// containers and removes the cgroups. Only ids known to this root count:
// a berth cgroup of another root may belong to a live process.
func removeStaleCgroups(dead map[string]bool) (int, error) {
	var errs []error
	removed := 0
	for _, hier := range cgroupDirs() {
		entries, err := os.ReadDir(hier)
		if err != nil {
			continue
		}
		for _, e := range entries {
			id, ok := strings.CutPrefix(e.Name(), container.CgroupPrefix)
			if !ok || !e.IsDir() || !dead[id] {
				continue
			}
			if err := removeCgroup(filepath.Join(hier, e.Name())); err != nil {
				errs = append(errs, err)
				continue
			}
			removed++
		}
	}
	return removed, errors.Join(errs...)
}

func removeCgroup(dir string) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "cgroup.procs")); err == nil {
			for _, f := range strings.Fields(string(data)) {
				var pid int
				if _, err := fmt.Sscan(f, &pid); err == nil && pid > 0 {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
		err := os.Remove(dir)
		if err == nil || errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gc: remove cgroup %s: %w", dir, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
