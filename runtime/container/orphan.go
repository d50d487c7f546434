package container

import (
	"fmt"
	"os"
	"path/filepath"
)

// RemoveOrphan removes the container id of a dead berth process: Recover
// (SIGKILL, wait, Destroy), then its state directory, which Recover leaves
// when it has no state.json (the process died inside libcontainer's start:
// its processes die with the cgroup). It says whether there was state.
func (r *Runtime) RemoveOrphan(id string) (hadState bool, err error) {
	state := filepath.Join(r.stateRoot, id)
	_, err = os.Stat(state)
	hadState = err == nil
	if err := r.Recover(id); err != nil {
		return hadState, err
	}
	if err := os.RemoveAll(state); err != nil {
		return hadState, fmt.Errorf("remove %s: %w", state, err)
	}
	return hadState, nil
}
