// Package containerdir keeps the directory of each container under
// ROOT/containers: its record (who owns it) and owner file, written and
// removed under a lock so that GC never takes a directory still being made
// for one a dead process left; and GC's judgment of those directories.
package containerdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"berth/runtime/store"
)

// RecordFile is a container's record, in its directory.
const RecordFile = "record.json"

// recordsLockName keeps GC from seeing a container directory whose record
// is still being written (see Make): such a directory would pass for one
// a dead process left behind.
const recordsLockName = "containers.lock"

// Record is what GC needs to find a container whose berth process died.
type Record struct {
	ID      string      `json:"id"`
	Name    string      `json:"name"`
	Sandbox string      `json:"sandbox"`
	Owner   store.Owner `json:"owner"`
	Created time.Time   `json:"created"`
}

// Dirs are the container directories of one berth root.
type Dirs struct{ root string }

// New returns the container directories of root.
func New(root string) Dirs { return Dirs{root: root} }

// Path is the directory holding one directory per container.
func (d Dirs) Path() string { return filepath.Join(d.root, "containers") }

// Dir is the directory of container id.
func (d Dirs) Dir(id string) string { return filepath.Join(d.Path(), id) }

// Make creates a container's directory with its record in it. It holds
// the records lock shared, so creations run in parallel with each other
// but never while GC sorts live containers from dead ones.
func (d Dirs) Make(rec Record) error {
	lock, err := d.lock(true)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	dir := d.Dir(rec.ID)
	if err := os.Mkdir(dir, 0o710); err != nil {
		return fmt.Errorf("create container dir: %w", err)
	}
	if err := writeOwnerFile(dir, rec.Owner); err != nil {
		_ = os.RemoveAll(dir)
		return err
	}
	if err := store.WriteJSON(filepath.Join(dir, RecordFile), rec); err != nil {
		_ = os.RemoveAll(dir)
		return err
	}
	return nil
}

// Remove deletes container id's directory, its record last, so GC still
// finds a half-removed container. The record and the directory go under
// the records lock, for GC never to see the directory without it.
func (d Dirs) Remove(id string) error {
	dir := d.Dir(id)
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	for _, ent := range entries {
		if ent.Name() == RecordFile {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, ent.Name())); err != nil {
			return err
		}
	}
	lock, err := d.lock(true)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	return os.RemoveAll(dir)
}

// lock takes the records lock, shared (creating and removing container
// directories) or exclusive (GC).
func (d Dirs) lock(shared bool) (*store.Lock, error) {
	path := filepath.Join(d.root, recordsLockName)
	if shared {
		return store.RLockFile(path)
	}
	return store.LockFile(path)
}
