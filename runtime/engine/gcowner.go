package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"berth/runtime/store"
	"berth/runtime/volume"
)

// ownerFileName repeats, beside record.json, the owner of a container:
// when the record is damaged GC still knows whether its owner is alive,
// and never kills a live run's container for a bad file. It is written
// first and without an fsync: a crash of the machine makes the owner dead
// anyway, and a torn file only makes GC leave the container.
const ownerFileName = "owner"

func writeOwnerFile(dir string, o owner) error {
	if err := os.WriteFile(filepath.Join(dir, ownerFileName), []byte(o.tag()+"\n"), 0o600); err != nil {
		return fmt.Errorf("write container owner: %w", err)
	}
	return nil
}

// errDiedCreating: a container directory without a record, and without a
// readable owner file. Both are written under the records lock, which GC
// holds while it looks, so the process that made the directory died
// before it finished them.
var errDiedCreating = errors.New("container directory without record or owner: its creation died")

// containerOwner tells who owns the container directory dir: the record's
// owner, else the owner file's. Its error is errDiedCreating when the
// directory has neither, and another error (naming the damage) when they
// exist but cannot be read: the owner is then unknown.
func containerOwner(dir string) (owner, error) {
	recPath := filepath.Join(dir, recordFile)
	var rec record
	recErr := store.ReadJSON(recPath, &rec)
	if recErr == nil && rec.Owner.Pid > 0 {
		return rec.Owner, nil
	}
	if recErr == nil {
		recErr = fmt.Errorf("%s names no owner", recPath)
	}
	data, ownerErr := os.ReadFile(filepath.Join(dir, ownerFileName))
	if ownerErr == nil {
		if o, ok := parseOwnerTag(strings.TrimSpace(string(data))); ok && o.Pid > 0 {
			return o, nil
		}
		ownerErr = fmt.Errorf("%s holds %q, not PID:STARTTIME", filepath.Join(dir, ownerFileName), data)
	}
	if errors.Is(recErr, fs.ErrNotExist) {
		// The owner file is missing, or torn by the same death.
		return owner{}, errDiedCreating
	}
	return owner{}, fmt.Errorf("%w; %w", recErr, ownerErr)
}

// recordDamage says what is wrong with a container's record, nil if it
// reads well.
func recordDamage(dir string) error {
	var rec record
	if err := store.ReadJSON(filepath.Join(dir, recordFile), &rec); err != nil {
		return err
	}
	if rec.Owner.Pid <= 0 {
		return fmt.Errorf("%s names no owner", filepath.Join(dir, recordFile))
	}
	return nil
}

// volumeUses tells the volume store which containers are live and whose
// volumes are still wanted.
func (e *Engine) volumeUses() volume.Uses {
	return volume.Uses{
		ContainersDir: containersDir(e.root),
		// A container whose owner cannot be told counts as live: its
		// volume is not removed under it.
		ContainerLive: func(dir string) bool {
			o, err := containerOwner(dir)
			return err == nil && o.alive() || err != nil && !errors.Is(err, errDiedCreating)
		},
		OwnerAlive: func(tag string) (alive, known bool) {
			o, ok := parseOwnerTag(tag)
			return ok && o.alive(), ok
		},
	}
}
