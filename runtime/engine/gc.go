package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"berth/runtime/backend"
	"berth/runtime/container"
	"berth/runtime/containerdir"
	"berth/runtime/hostmark"
	"berth/runtime/sizedfs"
	"berth/runtime/store"
	"berth/runtime/volume"
)

// GCReport counts what GC removed, and says what it had to leave.
type GCReport = backend.GCReport

// gcLockName lets one GC run at a time: two would race to recover the
// same containers.
const gcLockName = "gc.lock"

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
	orphans, left, err := e.dirs.Orphans(e.runtime)
	if err != nil {
		return rep, err
	}
	rep.Left = left
	removed, err := e.dirs.RemoveOrphans(orphans, e.runtime)
	rep.Containers, rep.Mounts, rep.StateDirs = removed.Containers, removed.Mounts, removed.StateDirs
	errs := []error{err}
	// The kernel detaches a sized layer's loop device at its unmount, or
	// when a process dies holding one it had not mounted yet; this asks
	// it again for any device still backed by a file under the root (a
	// live container's only gets the flag it already has).
	if _, err := sizedfs.DetachUnder(e.dirs.Path()); err != nil {
		errs = append(errs, fmt.Errorf("gc: %w", err))
	}
	n, err := container.RemoveCgroups(container.CgroupRoot, orphans.IDs())
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

// volumeUses tells the volume store which containers are live and whose
// volumes are still wanted.
func (e *Engine) volumeUses() volume.Uses {
	return volume.Uses{
		ContainersDir: e.dirs.Path(),
		// A container whose owner cannot be told counts as live: its
		// volume is not removed under it.
		ContainerLive: containerdir.Live,
		OwnerAlive: func(tag string) (alive, known bool) {
			o, ok := parseOwnerTag(tag)
			return ok && o.Alive(), ok
		},
	}
}
