package engine

import (
	"context"
	"fmt"
	"path/filepath"

	"berth/runtime/backend"
	"berth/runtime/fsroot"
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
	c.mu.Lock()
	pid, start, running := c.pid, c.pidStart, c.status == backend.StatusRunning
	c.mu.Unlock()
	if running {
		if r := fsroot.OpenProcessRoot(pid, start); r != nil {
			return r, path, nil
		}
		// exiting: read the stopped container's files
	}
	r, inside, err := volume.OpenRoot(c.rootfs, c.mounts, path)
	if err != nil {
		return nil, "", fmt.Errorf("container %s: %w", c.name, fsroot.UnwrapPath(err))
	}
	return r, inside, nil
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
		return nil, fmt.Errorf("read %s from container %s: %w", path, c.name, fsroot.UnwrapPath(err))
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
		return fmt.Errorf("write %s to container %s: %w", path, c.name, fsroot.UnwrapPath(err))
	}
	return nil
}
