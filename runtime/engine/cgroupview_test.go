package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"berth/runtime/backend"
	"berth/runtime/container"
	"berth/runtime/spec"
)

// A container reads its limits from its own cgroup at /sys/fs/cgroup,
// read-only, as under Docker: those set at run, and those update() sets
// later, also on a container started without any.
func TestCgroupView(t *testing.T) {
	sb := sandbox(t)
	v1 := true
	if _, err := os.Stat(filepath.Join(container.CgroupRoot, "memory")); err != nil {
		v1 = false
	}
	memFile, pidsFile := "/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/pids/pids.max"
	if !v1 {
		memFile, pidsFile = "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/pids.max"
	}
	c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Network: "none", Cmd: []string{"sleep", "1000"},
		Resources: spec.Resources{Memory: 64 << 20, PidsLimit: 50}}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	exec := func(c backend.Container, cmd ...string) backend.ExecResult {
		t.Helper()
		r, err := c.Exec(ctx(t), backend.ExecOptions{Cmd: cmd})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := exec(c, "cat", memFile, pidsFile); r.Stdout != "67108864\n50\n" {
		t.Errorf("limits read inside: %q (%s), want 67108864 and 50", r.Stdout, r.Stderr)
	}
	// Its own cgroup is the root of the view: no berth- directories of
	// other containers, no host paths.
	if r := exec(c, "sh", "-c", "ls /sys/fs/cgroup/* | grep -c berth-"); strings.TrimSpace(r.Stdout) != "0" {
		t.Errorf("the view shows other cgroups: %q", r.Output)
	}
	if r := exec(c, "sh", "-c", "echo 1 > "+pidsFile); r.ExitCode == 0 || !strings.Contains(r.Stderr, "Read-only file system") {
		t.Errorf("writing %s inside: exit %d, %q; want Read-only file system", pidsFile, r.ExitCode, r.Stderr)
	}
	// In a cgroup namespace of its own, as the view needs: the process
	// sees its cgroup as the root of every hierarchy.
	if r := exec(c, "cat", "/proc/self/cgroup"); r.ExitCode != 0 || strings.Contains(r.Stdout, "berth-") || !strings.Contains(r.Stdout, ":/\n") {
		t.Errorf("/proc/self/cgroup inside: %q (%s), want every cgroup at /", r.Stdout, r.Stderr)
	}
	if r := exec(c, "touch", "/sys/fs/cgroup/x"); r.ExitCode == 0 || !strings.Contains(r.Stderr, "Read-only file system") {
		t.Errorf("creating a file in /sys/fs/cgroup inside: exit %d, %q; want Read-only file system", r.ExitCode, r.Stderr)
	}
	plain, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Network: "none", Cmd: []string{"sleep", "1000"}}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	if r := exec(plain, "cat", pidsFile); r.Stdout != "max\n" {
		t.Errorf("%s without limits: %q (%s), want max", pidsFile, r.Stdout, r.Stderr)
	}
	limit := int64(30)
	if err := plain.Update(ctx(t), backend.ResourcesPatch{PidsLimit: &limit}); err != nil {
		t.Fatal(err)
	}
	if r := exec(plain, "cat", pidsFile); r.Stdout != "30\n" {
		t.Errorf("%s after update(pids_limit=30): %q (%s), want 30", pidsFile, r.Stdout, r.Stderr)
	}
}
