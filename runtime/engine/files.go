package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	securejoin "github.com/cyphar/filepath-securejoin"
)

// fsRoot is the container's filesystem as seen from the host: the running
// init's root (which includes every mount) or, when stopped, the overlay.
func (c *Container) fsRoot() string {
	if st := c.State(); st.Status == StatusRunning && st.Pid > 0 {
		return "/proc/" + strconv.Itoa(st.Pid) + "/root"
	}
	return c.rootfs
}

// hostPath resolves a path inside the container without letting symlinks
// lead outside its root.
func (c *Container) hostPath(path string) (string, error) {
	if st := c.State(); st.Status == StatusRemoving || st.Status == StatusRemoved {
		// Its directory is gone: writing would recreate it on the host.
		return "", errorf(ErrNoSuchContainer, "No such container: %s (it was removed)", c.name)
	}
	if !filepath.IsAbs(path) {
		return "", fmt.Errorf("path %q: want an absolute path inside the container", path)
	}
	root, inside := c.fsRoot(), path
	if st := c.State(); st.Status != StatusRunning {
		if host, rest, ok := c.mountedHostPath(path); ok {
			root, inside = host, rest
		}
	}
	p, err := securejoin.SecureJoin(root, inside)
	if err != nil {
		return "", fmt.Errorf("resolve %s in container %s: %w", path, c.name, err)
	}
	return p, nil
}

// ReadFile returns a file's content from the container (docker cp out).
func (c *Container) ReadFile(path string) ([]byte, error) {
	p, err := c.hostPath(path)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("read %s from container %s: %w", path, c.name, unwrapPath(err))
	}
	return data, nil
}

// WriteFile writes a file into the container (docker cp in), creating its
// parent directories.
func (c *Container) WriteFile(path string, data []byte) error {
	p, err := c.hostPath(path)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("write %s to container %s: %w", path, c.name, unwrapPath(err))
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return fmt.Errorf("write %s to container %s: %w", path, c.name, unwrapPath(err))
	}
	return nil
}

// unwrapPath drops the host-side path from an error: the user named a
// path inside the container.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
