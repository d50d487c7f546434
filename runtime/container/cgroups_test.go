package container

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
)

// fakeCgroupTree lays out dirs (relative, "/"-separated) and files under a
// temporary root, and symlinks given as name -> target.
func fakeCgroupTree(t *testing.T, dirs, files []string, links map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(root, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func cgroupDirs(root string, cgs []Cgroup) []string {
	var out []string
	for _, cg := range cgs {
		rel, _ := filepath.Rel(root, cg.Dir)
		out = append(out, cg.ID+"@"+rel)
	}
	slices.Sort(out)
	return out
}

func TestCgroups(t *testing.T) {
	tests := []struct {
		name  string
		dirs  []string
		files []string
		links map[string]string
		want  []string
	}{{
		name: "v2: the root is the one hierarchy",
		dirs: []string{"berth-a1", "berth-b2", "system.slice", "user.slice/berth-nested", "berth-a1/child"},
		// A file named like a cgroup is not one.
		files: []string{"cgroup.controllers", "cgroup.procs", "berth-file"},
		want:  []string{"a1@berth-a1", "b2@berth-b2"},
	}, {
		name:  "hybrid: each v1 hierarchy and the unified one",
		dirs:  []string{"cpu,cpuacct/berth-a1", "memory/berth-a1", "memory/berth-b2", "unified/berth-a1", "systemd/user.slice", "pids"},
		files: []string{"unified/cgroup.controllers"},
		// Symlinks to a hierarchy are not listed twice.
		links: map[string]string{"cpu": "cpu,cpuacct", "cpuacct": "cpu,cpuacct"},
		want:  []string{"a1@cpu,cpuacct/berth-a1", "a1@memory/berth-a1", "a1@unified/berth-a1", "b2@memory/berth-b2"},
	}, {
		name: "nothing of berth's",
		dirs: []string{"memory/system.slice", "unified"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := fakeCgroupTree(t, tt.dirs, tt.files, tt.links)
			if got := cgroupDirs(root, Cgroups(root)); !slices.Equal(got, tt.want) {
				t.Errorf("Cgroups = %q, want %q", got, tt.want)
			}
		})
	}
	if got := Cgroups(filepath.Join(t.TempDir(), "absent")); got != nil {
		t.Errorf("Cgroups of a missing root = %v, want none", got)
	}
}

func TestRemoveCgroupsOnlyDead(t *testing.T) {
	tests := []struct {
		name     string
		dirs     []string
		files    []string
		removed  int
		wantLeft []string
	}{{
		name:     "v2",
		dirs:     []string{"berth-dead", "berth-live", "other"},
		files:    []string{"cgroup.controllers"},
		removed:  1,
		wantLeft: []string{"live@berth-live"},
	}, {
		name:     "hybrid",
		dirs:     []string{"memory/berth-dead", "memory/berth-live", "unified/berth-dead", "unified/other"},
		files:    []string{"unified/cgroup.controllers"},
		removed:  2,
		wantLeft: []string{"live@memory/berth-live"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := fakeCgroupTree(t, tt.dirs, tt.files, nil)
			// "gone" has no cgroup: nothing to do for it.
			n, err := RemoveCgroups(root, map[string]bool{"dead": true, "gone": true})
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.removed {
				t.Errorf("removed %d cgroups, want %d", n, tt.removed)
			}
			if got := cgroupDirs(root, Cgroups(root)); !slices.Equal(got, tt.wantLeft) {
				t.Errorf("left %q, want %q", got, tt.wantLeft)
			}
			if _, err := os.Stat(filepath.Join(root, filepath.Dir(tt.dirs[len(tt.dirs)-1]), "other")); err != nil {
				t.Errorf("a cgroup not berth's was touched: %v", err)
			}
		})
	}
}

// A cgroup whose processes do not go cannot be removed: the processes it
// lists are killed, and the error names the directory.
func TestRemoveCgroupKillsListed(t *testing.T) {
	cmd := exec.Command("sleep", "1000")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep:", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	dir := filepath.Join(t.TempDir(), "berth-x")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// On a fake tree cgroup.procs is a plain file, so the directory is
	// never empty: removal fails once the wait is over.
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := removeCgroup(dir, 0)
	if err == nil || !errors.Is(err, syscall.ENOTEMPTY) {
		t.Fatalf("removeCgroup = %v, want ENOTEMPTY naming %s", err, dir)
	}
	if want := "gc: remove cgroup " + dir + ": "; len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
		t.Errorf("error %q, want it to start %q", err, want)
	}
	werr := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(werr, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Errorf("listed process ended with %v, want killed by SIGKILL", werr)
	}
}
