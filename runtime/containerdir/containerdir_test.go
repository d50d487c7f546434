package containerdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"berth/runtime/store"
)

func self(t *testing.T) store.Owner {
	t.Helper()
	o, err := store.Self()
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// dead is this process's PID with another start time: a process that ended.
func dead(t *testing.T) store.Owner {
	o := self(t)
	o.StartTime++
	return o
}

// writeDir makes a container directory by hand: record and owner file
// hold the given texts, "" for no file.
func writeDir(t *testing.T, d Dirs, id, record, owner string) {
	t.Helper()
	dir := d.Dir(id)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{RecordFile: record, OwnerFile: owner} {
		if text == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func recordOf(o store.Owner) string {
	return fmt.Sprintf(`{"id":"x","owner":{"pid":%d,"start_time":%d}}`, o.Pid, o.StartTime)
}

func TestOwner(t *testing.T) {
	me := self(t)
	tests := []struct {
		name, record, owner string
		want                store.Owner
		wantErr             string // "" for none; "died" for ErrDiedCreating
		live                bool   // Live: alive, or unknown
	}{
		{"record", recordOf(me), "", me, "", true},
		{"record over owner file", recordOf(me), "1:2\n", me, "", true},
		{"damaged record, owner file", "{garbage", me.String() + "\n", me, "", true},
		{"record naming no owner, owner file", `{"id":"x"}`, me.String(), me, "", true},
		{"neither", "", "", store.Owner{}, "died", false},
		{"no record, torn owner file", "", "12", store.Owner{}, "died", false},
		{"both damaged", "{garbage", "nonsense", store.Owner{}, "not PID:STARTTIME", true},
		{"record naming no owner, no owner file", `{"id":"x"}`, "", store.Owner{}, "names no owner", true},
		{"owner file with PID 0", "{garbage", "0:5", store.Owner{}, "not PID:STARTTIME", true},
	}
	d := New(t.TempDir())
	for i, tt := range tests {
		id := "c" + strconv.Itoa(i)
		writeDir(t, d, id, tt.record, tt.owner)
		got, err := Owner(d.Dir(id))
		if live := Live(d.Dir(id)); live != tt.live {
			t.Errorf("%s: Live = %v, want %v", tt.name, live, tt.live)
		}
		switch {
		case tt.wantErr == "died":
			if !errors.Is(err, ErrDiedCreating) {
				t.Errorf("%s: Owner = %v, %v; want ErrDiedCreating", tt.name, got, err)
			}
		case tt.wantErr != "":
			if err == nil || errors.Is(err, ErrDiedCreating) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: Owner = %v, %v; want an error naming %q", tt.name, got, err, tt.wantErr)
			}
		case err != nil || got != tt.want:
			t.Errorf("%s: Owner = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

// fakeRuntime has state for ids; RemoveOrphan forgets them, or fails for
// the ids in fail.
type fakeRuntime struct {
	ids     []string
	fail    map[string]bool
	removed []string
}

func (f *fakeRuntime) List() ([]string, error) { return f.ids, nil }

func (f *fakeRuntime) RemoveOrphan(id string) (bool, error) {
	if f.fail[id] {
		return true, errors.New("still running 5s after SIGKILL")
	}
	f.removed = append(f.removed, id)
	return slices.Contains(f.ids, id), nil
}

func TestOrphans(t *testing.T) {
	me, gone := self(t), dead(t)
	d := New(t.TempDir())
	writeDir(t, d, "live", recordOf(me), me.String())
	writeDir(t, d, "live-damaged", "{garbage", me.String())
	writeDir(t, d, "dead", recordOf(gone), gone.String())
	writeDir(t, d, "dead-damaged", "{garbage", gone.String())
	writeDir(t, d, "unknown", "{garbage", "nonsense")
	writeDir(t, d, "half-made", "", "")
	rt := &fakeRuntime{ids: []string{"live", "dead", "state-only"}}
	orphans, left, err := d.Orphans(rt)
	if err != nil {
		t.Fatal(err)
	}
	want := Orphans{
		{ID: "dead", Record: true, Dir: true},
		{ID: "dead-damaged", Record: true, Dir: true},
		{ID: "half-made", Dir: true},
		{ID: "state-only"},
	}
	if !slices.Equal(orphans, want) {
		t.Errorf("Orphans = %+v\nwant %+v", orphans, want)
	}
	if len(left) != 2 || !strings.HasPrefix(left[0], "container live-damaged: ") || !strings.HasSuffix(left[0], "is alive: left alone") ||
		!strings.HasPrefix(left[1], "container unknown: ") || !strings.Contains(left[1], "its owner is unknown, so it was left alone") {
		t.Errorf("left = %q; want live-damaged (alive) and unknown (owner unknown)", left)
	}
}

func TestRemoveOrphans(t *testing.T) {
	gone := dead(t)
	d := New(t.TempDir())
	writeDir(t, d, "dead", recordOf(gone), gone.String())
	writeDir(t, d, "half-made", "", "")
	writeDir(t, d, "stuck", recordOf(gone), gone.String())
	rt := &fakeRuntime{ids: []string{"dead", "state-only", "stuck"}, fail: map[string]bool{"stuck": true}}
	if os.Geteuid() == 0 {
		rootfs := filepath.Join(d.Dir("dead"), "rootfs")
		if err := os.Mkdir(rootfs, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := unix.Mount("tmpfs", rootfs, "tmpfs", 0, ""); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = unix.Unmount(rootfs, unix.MNT_DETACH) })
	}
	orphans, _, err := d.Orphans(rt)
	if err != nil {
		t.Fatal(err)
	}
	rm, err := d.RemoveOrphans(orphans, rt)
	if err == nil || !strings.Contains(err.Error(), "gc: still running") {
		t.Errorf("RemoveOrphans error = %v, want the stuck container's", err)
	}
	want := Removed{Containers: 2, StateDirs: 2} // dead (record), state-only; dirs of dead and half-made
	if os.Geteuid() == 0 {
		want.Mounts = 1
	}
	if rm != want {
		t.Errorf("RemoveOrphans = %+v, want %+v", rm, want)
	}
	for id, wantDir := range map[string]bool{"dead": false, "half-made": false, "stuck": true} {
		if _, err := os.Stat(d.Dir(id)); (err == nil) != wantDir {
			t.Errorf("directory of %s: %v, want it there %v", id, err, wantDir)
		}
	}
	if ids := orphans.IDs(); len(ids) != 4 || !ids["stuck"] || !ids["state-only"] {
		t.Errorf("IDs = %v, want dead, half-made, state-only and stuck", ids)
	}
}

func TestMakeRemove(t *testing.T) {
	me := self(t)
	d := New(t.TempDir())
	if err := os.Mkdir(d.Path(), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := d.Make(Record{ID: "c1", Name: "web", Owner: me}); err != nil {
		t.Fatal(err)
	}
	if o, err := Owner(d.Dir("c1")); err != nil || o != me {
		t.Errorf("Owner after Make = %v, %v; want %v", o, err, me)
	}
	data, err := os.ReadFile(filepath.Join(d.Dir("c1"), OwnerFile))
	if err != nil || string(data) != me.String()+"\n" {
		t.Errorf("owner file = %q, %v; want %q", data, err, me.String()+"\n")
	}
	if !Live(d.Dir("c1")) {
		t.Error("a container of this process is not live")
	}
	if err := d.Make(Record{ID: "c1", Owner: me}); err == nil {
		t.Error("Make over an existing directory succeeded")
	}
	if err := d.Remove("c1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(d.Dir("c1")); !os.IsNotExist(err) {
		t.Errorf("directory after Remove: %v", err)
	}
	if err := d.Remove("c1"); err != nil {
		t.Errorf("Remove of a removed container = %v, want nil", err)
	}
}
