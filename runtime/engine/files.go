package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"

	"berth/runtime/backend"
	"berth/runtime/fsroot"
	"berth/runtime/store"
	"berth/runtime/volume"
)

// openRoot opens the part of the container's filesystem that holds path
// and returns it with path's place inside it: the running init's root
// (every mount included) or, when stopped, the volume or bind mounted at
// path, else the overlay. Everything below the root is the container's to
// change at any time, so the root is all that is ever opened by a host
// path: see fsroot.
func (c *Container) openRoot(path string) (*fsroot.Root, string, error) {
	if st := c.State(); st.Status == backend.StatusRemoving || st.Status == backend.StatusRemoved {
		// Its directory is gone: writing would recreate it on the host.
		return nil, "", errorf(backend.ErrNoSuchContainer, "No such container: %s (it was removed)", c.name)
	}
	if !filepath.IsAbs(path) {
		return nil, "", fmt.Errorf("path %q: want an absolute path inside the container", path)
	}
	if r := c.openInitRoot(); r != nil {
		return r, path, nil
	}
	dir, inside := c.rootfs, path
	if host, rest, ok := volume.HostPath(c.mounts, path); ok {
		dir, inside = host, "/"+rest
		if fi, err := os.Stat(host); err == nil && !fi.IsDir() {
			// A file bind: the file is reached from its directory.
			dir, inside = filepath.Dir(host), filepath.Join("/", filepath.Base(host), rest)
		}
	}
	r, err := fsroot.Open(dir)
	if err != nil {
		return nil, "", fmt.Errorf("container %s: %w", c.name, unwrapPath(err))
	}
	return r, inside, nil
}

// openInitRoot opens /proc/PID/root of the running container's init, or
// returns nil when there is no init to open. An open /proc/PID directory
// names one process for good, so checking its start time against the
// init's proves that the root is the init's and not that of a process
// that reused the PID after the init exited.
func (c *Container) openInitRoot() *fsroot.Root {
	c.mu.Lock()
	pid, start, running := c.pid, c.pidStart, c.status == backend.StatusRunning
	c.mu.Unlock()
	if !running || pid <= 0 {
		return nil
	}
	proc, err := os.OpenFile("/proc/"+strconv.Itoa(pid), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil // exiting: read the stopped container's files
	}
	defer proc.Close()
	fd, err := unix.Openat(int(proc.Fd()), "root", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	root := os.NewFile(uintptr(fd), "/proc/"+strconv.Itoa(pid)+"/root")
	if got, err := store.ProcessStartTimeAt(proc); err != nil || got != start {
		root.Close()
		return nil
	}
	return fsroot.New(root)
}

// ReadFile returns a regular file's content from the container (docker cp
// out), at most fsroot.MaxReadFile bytes.
func (c *Container) ReadFile(ctx context.Context, path string) ([]byte, error) {
	r, inside, err := c.openRoot(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := r.ReadFile(inside, fsroot.MaxReadFile)
	if err != nil {
		return nil, fmt.Errorf("read %s from container %s: %w", path, c.name, unwrapPath(err))
	}
	return data, nil
}

// WriteFile writes a regular file into the container (docker cp in),
// creating its parent directories.
func (c *Container) WriteFile(ctx context.Context, path string, data []byte) error {
	r, inside, err := c.openRoot(path)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := r.WriteFile(inside, data, 0o644); err != nil {
		return fmt.Errorf("write %s to container %s: %w", path, c.name, unwrapPath(err))
	}
	return nil
}

// unwrapPath drops the path from an error: the user named a path inside
// the container, and the host's would mean nothing to them.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
