package store

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// WriteFileAtomic replaces path with data so that readers see either the
// old content or the new, never a mix, even after a crash: the data goes to
// a temporary file in the same directory, is synced, renamed over path, and
// the directory is synced so the rename itself is durable. perm is applied
// exactly (the umask does not narrow it). The temporary file is removed on
// every failure. If path is a symlink, the link itself is replaced.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	// The temporary name starts with the target's name for debugging; it
	// is cut short so the random suffix still fits within NAME_MAX.
	prefix := base
	if len(prefix) > 64 {
		prefix = prefix[:64]
	}
	tmp, err := os.CreateTemp(dir, "."+prefix+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	tmpName := tmp.Name()
	renamed := false
	defer func() {
		if !renamed {
			tmp.Close() // may already be closed; only the removal matters
			os.Remove(tmpName)
		}
	}()

	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %q: sync: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := os.Rename(tmpName, path); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	renamed = true
	if err := SyncDir(dir); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	return nil
}

// SyncDir makes the renames and creations in dir durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %q: %w", dir, err)
	}
	return nil
}

// statePerm keeps state files private: container configs can hold
// environment variables with secrets (Docker uses 0600 for the same reason).
const statePerm = 0o600

// WriteJSON atomically writes v to path as indented JSON.
func WriteJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %q: %w", path, err)
	}
	return WriteFileAtomic(path, append(data, '\n'), statePerm)
}

// ReadJSON decodes the JSON file at path into v. A missing file yields an
// error for which errors.Is(err, fs.ErrNotExist) holds.
func ReadJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %q: %w", path, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %q: %w", path, err)
	}
	return nil
}
