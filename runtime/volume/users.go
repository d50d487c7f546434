package volume

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"berth/runtime/kinderr"
)

// UsersFile lists, in a container's directory, the store names of the
// volumes it mounts, one a line, so any berth process sharing the root sees
// them in use. It is written without an fsync (unlike the engine's record):
// it matters only while its owner lives, and a crash makes the owner dead
// anyway.
const UsersFile = "volumes"

// RecordUse writes UsersFile in the container directory dir, for a
// container that mounts the store volumes names; nothing when there are
// none. The file is replaced whole, never seen half written.
func RecordUse(dir string, names []string) error {
	if len(names) == 0 {
		return nil
	}
	tmp := filepath.Join(dir, UsersFile+".tmp")
	if err := os.WriteFile(tmp, []byte(strings.Join(names, "\n")+"\n"), 0o600); err != nil {
		return fmt.Errorf("record volumes in use: %w", err)
	}
	return os.Rename(tmp, filepath.Join(dir, UsersFile))
}

// Uses tells which containers use which volumes, and whose volumes are
// still wanted. The engine knows where its containers are and how to tell
// their owners alive; the store does not.
type Uses struct {
	// ContainersDir holds one directory per container, named by its id,
	// with a UsersFile in it when the container mounts volumes.
	ContainersDir string
	// ContainerLive tells whether the container whose directory is dir is
	// live. One whose owner cannot be told should count as live, so that
	// its volumes are not removed under it.
	ContainerLive func(dir string) bool
	// OwnerAlive tells, from a volume's Owner tag, whether the process
	// that created it is alive; known is false for a tag it cannot read.
	OwnerAlive func(tag string) (alive, known bool)
}

// Users lists the ids of the live containers, of any berth process sharing
// the containers directory, that mount the store volume name.
func (u Uses) Users(name string) ([]string, error) {
	entries, err := os.ReadDir(u.ContainersDir)
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	var users []string
	for _, ent := range entries {
		dir := filepath.Join(u.ContainersDir, ent.Name())
		data, err := os.ReadFile(filepath.Join(dir, UsersFile))
		if err != nil || !slices.Contains(strings.Fields(string(data)), name) {
			continue
		}
		if u.ContainerLive(dir) {
			users = append(users, ent.Name())
		}
	}
	return users, nil
}

// RemoveUnused removes the store volume name unless a live container uses
// it: that is refused with Docker's text, naming the volume shown (the
// name the scenario knows it by), and the error matches ErrInUse.
func (s *Store) RemoveUnused(name, shown string, u Uses) error {
	users, err := u.Users(name)
	if err != nil {
		return err
	}
	if len(users) > 0 {
		return kinderr.Errorf(ErrInUse, "remove %s: volume is in use - [%s]", shown, strings.Join(users, ", "))
	}
	return s.Remove(name, nil)
}

// GC removes the volumes that a dead process created without keep (a
// killed run's sandbox volumes), when no live container uses them. It
// returns how many it removed, and a line for each volume whose record
// cannot be read: left alone, since its owner and keep flag are unknown.
func (s *Store) GC(u Uses) (int, []string, error) {
	all, bad, err := s.Scan()
	if err != nil {
		return 0, nil, fmt.Errorf("gc: %w", err)
	}
	n := 0
	var errs []error
	for _, v := range all {
		alive, known := u.OwnerAlive(v.Owner)
		if v.Keep || !known || alive {
			continue
		}
		if err := s.RemoveUnused(v.Name, v.Name, u); err != nil {
			if !errors.Is(err, ErrInUse) {
				errs = append(errs, fmt.Errorf("gc: %w", err))
			}
			continue
		}
		n++
	}
	return n, damagedLines(bad), errors.Join(errs...)
}

// Prune removes every volume no live container uses, except the private
// volumes of live runs (berth volume prune). It returns the names removed,
// and a line for each volume whose record is damaged (skipped).
func (s *Store) Prune(u Uses) (removed, damaged []string, err error) {
	all, bad, err := s.Scan()
	if err != nil {
		return nil, nil, err
	}
	damaged = damagedLines(bad)
	var errs []error
	for _, v := range all {
		if alive, known := u.OwnerAlive(v.Owner); known && !v.Keep && alive {
			continue // a running scenario's volume
		}
		if err := s.RemoveUnused(v.Name, v.Name, u); err != nil {
			if !errors.Is(err, ErrInUse) {
				errs = append(errs, err)
			}
			continue
		}
		removed = append(removed, v.Name)
	}
	return removed, damaged, errors.Join(errs...)
}

// damagedLines words the volumes whose record cannot be read.
func damagedLines(bad []Damaged) []string {
	var out []string
	for _, d := range bad {
		out = append(out, fmt.Sprintf("volume %s: %v: left alone (if no run uses it, berth volume rm %s removes it)", d.Name, d.Err, d.Name))
	}
	return out
}
