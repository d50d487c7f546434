package fake

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"syscall"

	"berth/runtime/backend"
	"berth/runtime/kinderr"
)

// errorf formats Docker's text and classifies it as kind.
func errorf(kind error, format string, args ...any) error {
	return kinderr.Errorf(kind, format, args...)
}

func (c *Container) Exec(ctx context.Context, opts backend.ExecOptions) (backend.ExecResult, error) {
	if st := c.State(); st.Status != backend.StatusRunning {
		return backend.ExecResult{}, backend.NotRunning(c.id, st.Status)
	}
	if len(opts.Cmd) == 0 {
		return backend.ExecResult{}, errors.New("exec: no command given: want a command string or a list of arguments")
	}
	return c.b.exec(opts.Cmd)
}

// filePath checks path as the engine does and cleans it.
func (c *Container) filePath(p string) (string, error) {
	if err := c.gone(); err != nil {
		return "", err
	}
	if !path.IsAbs(p) {
		return "", fmt.Errorf("path %q: want an absolute path inside the container", p)
	}
	return path.Clean(p), nil
}

// isDirLocked reports whether p holds files. The caller holds c.mu.
func (c *Container) isDirLocked(p string) bool {
	if p == "/" {
		return true
	}
	for f := range c.files {
		if strings.HasPrefix(f, p+"/") {
			return true
		}
	}
	return false
}

func (c *Container) ReadFile(ctx context.Context, p string) ([]byte, error) {
	clean, err := c.filePath(p)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if data, ok := c.files[clean]; ok {
		return append([]byte(nil), data...), nil
	}
	errno := syscall.ENOENT
	if c.isDirLocked(clean) {
		errno = syscall.EISDIR
	}
	return nil, fmt.Errorf("read %s from container %s: %w", p, c.name, errno)
}

func (c *Container) WriteFile(ctx context.Context, p string, data []byte) error {
	clean, err := c.filePath(p)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.spec.ReadOnly:
		return fmt.Errorf("write %s to container %s: %w", p, c.name, syscall.EROFS)
	case c.isDirLocked(clean):
		return fmt.Errorf("write %s to container %s: %w", p, c.name, syscall.EISDIR)
	}
	for dir := path.Dir(clean); dir != "/"; dir = path.Dir(dir) {
		if _, ok := c.files[dir]; ok {
			return fmt.Errorf("write %s to container %s: %w", p, c.name, syscall.ENOTDIR)
		}
	}
	c.files[clean] = append([]byte(nil), data...)
	return nil
}
