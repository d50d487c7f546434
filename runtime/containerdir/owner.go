package containerdir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"berth/runtime/store"
)

// OwnerFile repeats, beside the record, the owner of a container: when the
// record is damaged GC still knows whether its owner is alive, and never
// kills a live run's container for a bad file. It is written first and
// without an fsync: a crash of the machine makes the owner dead anyway,
// and a torn file only makes GC leave the container.
const OwnerFile = "owner"

func writeOwnerFile(dir string, o store.Owner) error {
	if err := os.WriteFile(filepath.Join(dir, OwnerFile), []byte(o.String()+"\n"), 0o600); err != nil {
		return fmt.Errorf("write container owner: %w", err)
	}
	return nil
}

// ErrDiedCreating: a container directory without a record, and without a
// readable owner file. Both are written under the records lock, which GC
// holds while it looks, so the process that made the directory died
// before it finished them.
var ErrDiedCreating = errors.New("container directory without record or owner: its creation died")

// Owner tells who owns the container directory dir: the record's owner,
// else the owner file's. Its error is ErrDiedCreating when the directory
// has neither, and another error (naming the damage) when they exist but
// cannot be read: the owner is then unknown.
func Owner(dir string) (store.Owner, error) {
	recPath := filepath.Join(dir, RecordFile)
	var rec Record
	recErr := store.ReadJSON(recPath, &rec)
	if recErr == nil && rec.Owner.Pid > 0 {
		return rec.Owner, nil
	}
	if recErr == nil {
		recErr = fmt.Errorf("%s names no owner", recPath)
	}
	data, ownerErr := os.ReadFile(filepath.Join(dir, OwnerFile))
	if ownerErr == nil {
		if o, err := store.ParseOwner(strings.TrimSpace(string(data))); err == nil {
			return o, nil
		}
		ownerErr = fmt.Errorf("%s holds %q, not PID:STARTTIME", filepath.Join(dir, OwnerFile), data)
	}
	if errors.Is(recErr, fs.ErrNotExist) {
		// The owner file is missing, or torn by the same death.
		return store.Owner{}, ErrDiedCreating
	}
	return store.Owner{}, fmt.Errorf("%w; %w", recErr, ownerErr)
}

// Live tells whether the container whose directory is dir counts as live:
// its owner is alive, or cannot be told (its volumes are then not removed
// under it).
func Live(dir string) bool {
	o, err := Owner(dir)
	return err == nil && o.Alive() || err != nil && !errors.Is(err, ErrDiedCreating)
}

// recordDamage says what is wrong with a container's record, nil if it
// reads well.
func recordDamage(dir string) error {
	var rec Record
	if err := store.ReadJSON(filepath.Join(dir, RecordFile), &rec); err != nil {
		return err
	}
	if rec.Owner.Pid <= 0 {
		return fmt.Errorf("%s names no owner", filepath.Join(dir, RecordFile))
	}
	return nil
}
