package backend

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// SaveFile is docker save -o path: it writes the archive to a temporary
// file beside path and renames it into place, so a failed save leaves
// nothing behind.
func SaveFile(ctx context.Context, images Images, refs []string, path string) (err error) {
	if len(refs) == 0 {
		return fmt.Errorf("save: no image given")
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return fmt.Errorf("save to %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := images.Save(ctx, refs, f); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("save to %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("save to %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("save to %s: %w", path, err)
	}
	return nil
}
