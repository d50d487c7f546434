package container

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestRemoveOrphanState(t *testing.T) {
	r := newRuntime(t)
	tests := []struct {
		name      string
		state     map[string]string // files in the state directory; nil for none
		wantState bool
		wantErr   bool
		wantGone  bool
	}{
		{"no state", nil, false, false, true},
		{"died inside libcontainer's start: no state.json", map[string]string{}, true, false, true},
		{"unreadable state.json: left", map[string]string{"state.json": "{garbage"}, true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := newID(t)
			dir := filepath.Join(r.StateRoot(), id)
			if tt.state != nil {
				if err := os.Mkdir(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = os.RemoveAll(dir) })
			}
			for name, text := range tt.state {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			had, err := r.RemoveOrphan(id)
			if had != tt.wantState || (err != nil) != tt.wantErr {
				t.Errorf("RemoveOrphan = %v, %v; want state %v, error %v", had, err, tt.wantState, tt.wantErr)
			}
			if _, err := os.Stat(dir); os.IsNotExist(err) != tt.wantGone {
				t.Errorf("state directory after RemoveOrphan: %v, want gone %v", err, tt.wantGone)
			}
		})
	}
}

func TestRemoveOrphanKills(t *testing.T) {
	r := newRuntime(t)
	id := newID(t)
	inst, err := r.Start(&Config{ID: id, Rootfs: testRootfs(t)}, &Process{Args: []string{"sleep", "100"}, Env: []string{"PATH=/bin"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := inst.Resume(); err != nil {
		t.Fatal(err)
	}
	done := make(chan Exit, 1)
	go func() { e, _ := inst.Wait(); done <- e }()
	// A second runtime on the same state root stands in for "berth gc".
	r2, _ := NewRuntime(r.StateRoot())
	had, err := r2.RemoveOrphan(id)
	if !had || err != nil {
		t.Fatalf("RemoveOrphan = %v, %v; want state, no error", had, err)
	}
	if e := <-done; e.Code != 128+int(syscall.SIGKILL) {
		t.Errorf("exit after RemoveOrphan: %d, want SIGKILL's", e.Code)
	}
	if ids, _ := r.List(); len(ids) != 0 {
		t.Errorf("state left behind: %v", ids)
	}
}
