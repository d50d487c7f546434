package hostmark

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"berth/runtime/store"
)

// useTempBase points TempBase at a fresh directory of the test.
func useTempBase(t *testing.T) string {
	t.Helper()
	t.Setenv("TMPDIR", t.TempDir())
	return TempBase()
}

// deadOwner is a process that has ended: this PID with another start time.
func deadOwner(t *testing.T) store.Owner {
	t.Helper()
	me, err := store.Self()
	if err != nil {
		t.Fatal(err)
	}
	return store.Owner{Pid: me.Pid, StartTime: me.StartTime + 1}
}

func TestSweepTempDirsRemovesOnlyDeadOwners(t *testing.T) {
	base := useTempBase(t)
	me, err := store.Self()
	if err != nil {
		t.Fatal(err)
	}
	live, err := MkdirTemp(me)
	if err != nil {
		t.Fatal(err)
	}
	dead, err := MkdirTemp(deadOwner(t))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(live) != base || !strings.HasPrefix(filepath.Base(live), fmt.Sprintf("%d-%d-%d-", me.Pid, me.StartTime, PIDNamespace())) {
		t.Errorf("MkdirTemp made %s, want PID-START-PIDNS-RANDOM under %s", live, base)
	}
	// What is inside goes too, symlinks without being followed.
	outside := filepath.Join(t.TempDir(), "outside")
	if err := os.WriteFile(outside, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Dir(outside), filepath.Join(dead, "link")); err != nil {
		t.Fatal(err)
	}
	// Not berth's name, and an ended owner of another PID namespace.
	foreign := filepath.Join(base, "not-berths")
	otherNS := filepath.Join(base, fmt.Sprintf("%d-%d-%d-1", me.Pid, me.StartTime+1, PIDNamespace()+1))
	for _, dir := range []string{foreign, otherNS} {
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	removed, left, err := SweepTempDirs()
	if err != nil || removed != 1 || len(left) != 0 {
		t.Fatalf("SweepTempDirs = %d, %q, %v; want 1 removed", removed, left, err)
	}
	for path, want := range map[string]bool{live: true, dead: false, foreign: true, otherNS: true, outside: true} {
		if _, err := os.Stat(path); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", path, err == nil, want)
		}
	}
}

func TestSweepTempDirsLeavesMounts(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting needs root")
	}
	useTempBase(t)
	dead, err := MkdirTemp(deadOwner(t))
	if err != nil {
		t.Fatal(err)
	}
	mnt := filepath.Join(dead, "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Unmount(mnt, unix.MNT_DETACH) })
	if err := os.WriteFile(filepath.Join(mnt, "data"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	removed, left, err := SweepTempDirs()
	if err != nil || removed != 0 || len(left) != 1 || !strings.Contains(left[0], mnt+" is mounted inside") {
		t.Fatalf("SweepTempDirs = %d, %q, %v; want the directory left for its mount", removed, left, err)
	}
	if _, err := os.Stat(filepath.Join(mnt, "data")); err != nil {
		t.Errorf("the mounted file system was emptied: %v", err)
	}
	if err := unix.Unmount(mnt, 0); err != nil {
		t.Fatal(err)
	}
	if removed, left, err := SweepTempDirs(); err != nil || removed != 1 || len(left) != 0 {
		t.Errorf("after the unmount: %d, %q, %v; want it removed", removed, left, err)
	}
}

func TestTempBaseMustBeBerths(t *testing.T) {
	me, err := store.Self()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, want string
		make       func(t *testing.T, base string) error
	}{
		{"symlink", "is a symbolic link", func(t *testing.T, base string) error { return os.Symlink(t.TempDir(), base) }},
		{"file", "not a directory", func(t *testing.T, base string) error { return os.WriteFile(base, nil, 0o600) }},
		{"writable by others", "writable by others", func(t *testing.T, base string) error {
			if err := os.Mkdir(base, 0o777); err != nil {
				return err
			}
			return os.Chmod(base, 0o777)
		}},
		{"another user's", "belongs to another user", func(t *testing.T, base string) error {
			if os.Geteuid() != 0 {
				t.Skip("chown needs root")
			}
			if err := os.Mkdir(base, 0o711); err != nil {
				return err
			}
			return os.Chown(base, 65534, 65534)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := useTempBase(t)
			if err := tt.make(t, base); err != nil {
				t.Fatal(err)
			}
			if dir, err := MkdirTemp(me); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("MkdirTemp = %q, %v; want an error saying %q", dir, err, tt.want)
			}
			if _, _, err := SweepTempDirs(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("SweepTempDirs: %v; want an error saying %q", err, tt.want)
			}
		})
	}
}

// A directory of a child that ran and ended is removed; one of a child
// still running is not.
func TestSweepTempDirsFollowsRealProcesses(t *testing.T) {
	useTempBase(t)
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start sleep: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	start, err := store.ProcessStartTime(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := MkdirTemp(store.Owner{Pid: cmd.Process.Pid, StartTime: start})
	if err != nil {
		t.Fatal(err)
	}
	if removed, _, err := SweepTempDirs(); err != nil || removed != 0 {
		t.Fatalf("while the owner runs: %d removed, %v", removed, err)
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	if removed, _, err := SweepTempDirs(); err != nil || removed != 1 {
		t.Fatalf("after the owner ended: %d removed, %v", removed, err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s still there: %v", dir, err)
	}
}
