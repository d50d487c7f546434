package container

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"berth/runtime/spec"
)

// testRootfs makes a minimal root filesystem: the host's static busybox
// and the applet links the tests use.
func testRootfs(t *testing.T) string {
	t.Helper()
	bb, err := exec.LookPath("busybox")
	if err != nil {
		t.Skip("busybox-static is not installed (make setup)")
	}
	root := t.TempDir()
	for _, d := range []string{"bin", "proc", "sys", "dev", "etc", "tmp"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(bb)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "bin/busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, applet := range []string{"sh", "echo", "true", "sleep", "cat", "hostname", "id", "ip", "ls"} {
		if err := os.Symlink("busybox", filepath.Join(root, "bin", applet)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func newID(t *testing.T) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newRuntime(t *testing.T) *Runtime {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("containers need root")
	}
	r, err := NewRuntime(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// run starts a container and waits for it, returning its output and exit.
func run(t *testing.T, r *Runtime, cfg *Config, args ...string) (string, Exit) {
	t.Helper()
	var out bytes.Buffer
	inst, err := r.Start(cfg, &Process{Args: args, Env: []string{"PATH=/bin"}, Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatalf("start %v: %v", args, err)
	}
	if err := inst.Resume(); err != nil {
		t.Fatal(err)
	}
	exit, err := inst.Wait()
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), exit
}

func TestRunOutputAndExitCode(t *testing.T) {
	r := newRuntime(t)
	root := testRootfs(t)
	tests := []struct {
		name     string
		args     []string
		wantOut  string
		wantCode int
	}{
		{"echo", []string{"echo", "hello"}, "hello\n", 0},
		{"exit code", []string{"sh", "-c", "exit 3"}, "", 3},
		{"hostname", []string{"hostname"}, "box\n", 0},
		{"pid 1", []string{"sh", "-c", "echo $$"}, "1\n", 0},
		{"only lo", []string{"ls", "/sys/class/net"}, "lo\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, exit := run(t, r, &Config{ID: newID(t), Rootfs: root, Hostname: "box"}, tt.args...)
			if out != tt.wantOut || exit.Code != tt.wantCode {
				t.Errorf("got %q exit %d, want %q exit %d", out, exit.Code, tt.wantOut, tt.wantCode)
			}
		})
	}
}

func TestMissingExecutable(t *testing.T) {
	r := newRuntime(t)
	root := testRootfs(t)
	id := newID(t)
	_, err := r.Start(&Config{ID: id, Rootfs: root}, &Process{Args: []string{"/nonexistent"}, Env: []string{"PATH=/bin"}})
	if !errors.Is(err, ErrExecNotFound) {
		t.Fatalf("got %v, want ErrExecNotFound", err)
	}
	want := `exec: "/nonexistent": stat /nonexistent: no such file or directory`
	if err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	if ids, _ := r.List(); len(ids) != 0 {
		t.Errorf("state left behind: %v", ids)
	}
	if _, err := os.Stat("/sys/fs/cgroup/pids" + CgroupPath(id)); !os.IsNotExist(err) {
		t.Errorf("cgroup left behind: %v", err)
	}
}

func TestExecSignalAndRecover(t *testing.T) {
	r := newRuntime(t)
	root := testRootfs(t)
	id := newID(t)
	inst, err := r.Start(&Config{ID: id, Rootfs: root}, &Process{Args: []string{"sleep", "100"}, Env: []string{"PATH=/bin"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := inst.Resume(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	code, err := inst.Exec(context.Background(), &Process{Args: []string{"sh", "-c", "echo $FOO; exit 4"}, Env: []string{"PATH=/bin", "FOO=bar"}, Stdout: &out})
	if err != nil || code != 4 || out.String() != "bar\n" {
		t.Errorf("exec: got %q code %d err %v", out.String(), code, err)
	}
	if _, err := inst.Exec(context.Background(), &Process{Args: []string{"nosuch"}, Env: []string{"PATH=/bin"}}); !errors.Is(err, ErrExecNotFound) {
		t.Errorf("exec of a missing program: got %v, want ErrExecNotFound", err)
	}
	// A second runtime on the same state root stands in for "berth gc"
	// after the owning process died.
	r2, _ := NewRuntime(r.StateRoot())
	done := make(chan Exit, 1)
	go func() { e, _ := inst.Wait(); done <- e }()
	if err := r2.Recover(id); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-done:
		if e.Code != 128+int(syscall.SIGKILL) {
			t.Errorf("exit after recover: %d", e.Code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("init still running after Recover")
	}
	if ids, _ := r.List(); len(ids) != 0 {
		t.Errorf("state left behind: %v", ids)
	}
}

func TestMemoryLimitAndUpdate(t *testing.T) {
	r := newRuntime(t)
	root := testRootfs(t)
	id := newID(t)
	inst, err := r.Start(&Config{ID: id, Rootfs: root, Resources: spec.Resources{Memory: 64 << 20}},
		&Process{Args: []string{"sleep", "100"}, Env: []string{"PATH=/bin"}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = inst.Signal(syscall.SIGKILL); _, _ = inst.Wait() }()
	if err := inst.Resume(); err != nil {
		t.Fatal(err)
	}
	s, err := inst.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if s.MemoryLimit != 64<<20 {
		t.Errorf("memory limit %d, want %d", s.MemoryLimit, 64<<20)
	}
	if err := inst.Update(spec.Resources{Memory: 32 << 20, MemorySwap: -1}); err != nil {
		t.Fatal(err)
	}
	if s, _ = inst.Stats(); s.MemoryLimit != 32<<20 {
		t.Errorf("after update: memory limit %d, want %d", s.MemoryLimit, 32<<20)
	}
	if !strings.HasPrefix(CgroupPath(id), "/berth-") {
		t.Errorf("cgroup path %q", CgroupPath(id))
	}
}

// A SIGTERM sent right after Resume must reach the user's program (which,
// as PID 1 without a handler, ignores it), not libcontainer's Go init,
// which would exit with status 2.
func TestEarlySignalReachesTheProgram(t *testing.T) {
	r := newRuntime(t)
	root := testRootfs(t)
	for range 5 {
		inst, err := r.Start(&Config{ID: newID(t), Rootfs: root}, &Process{Args: []string{"sleep", "100"}, Env: []string{"PATH=/bin"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := inst.Resume(); err != nil {
			t.Fatal(err)
		}
		if err := inst.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		if err := inst.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		exit, err := inst.Wait()
		if err != nil {
			t.Fatal(err)
		}
		if exit.Code != 137 {
			t.Fatalf("exit code %d, want 137 (SIGTERM ignored by PID 1, then SIGKILL)", exit.Code)
		}
	}
}

func TestNativeOnly(t *testing.T) {
	got := nativeOnly([]string{"amd64", "x86", "x32"})
	if goruntime.GOARCH == "amd64" && (len(got) != 1 || got[0] != "amd64") {
		t.Errorf("nativeOnly = %v, want [amd64]", got)
	}
	if got := nativeOnly([]string{"mips"}); len(got) != 1 || got[0] != "mips" {
		t.Errorf("a profile without the native arch must be kept whole, got %v", got)
	}
}
