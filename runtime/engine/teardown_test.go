package engine

import (
	"berth/runtime/backend"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opencontainers/cgroups"

	"berth/runtime/containerdir"
	"berth/runtime/spec"
)

// freezeApart moves the container's init into a child of its v1 freezer
// cgroup and freezes that child: a process that SIGKILL cannot end, since
// libcontainer's kill thaws only the container's own cgroup. It returns
// the thaw, which also removes the child cgroup once the process left it.
func freezeApart(t *testing.T, c *Container) (thaw func()) {
	t.Helper()
	dir := filepath.Join("/sys/fs/cgroup/freezer", "berth-"+c.ID(), "stuck")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(file, value string) {
		if err := os.WriteFile(filepath.Join(dir, file), []byte(value), 0o644); err != nil {
			t.Fatalf("freezer %s: %v", file, err)
		}
	}
	write("cgroup.procs", strconv.Itoa(c.State().Pid))
	write("freezer.state", "FROZEN")
	var once sync.Once
	return func() {
		once.Do(func() {
			write("freezer.state", "THAWED")
			_, _ = c.Wait(context.Background())
			_ = os.Remove(dir)
		})
	}
}

// A process that cannot die (here: frozen by the cgroup v1 freezer, where
// SIGKILL waits for the thaw; in real life one stuck in the kernel) must
// not hang the sandbox's Close: past its deadline, Close reports the
// container as left to berth gc and goes on.
func TestCloseGivesUpOnAContainerThatCannotDie(t *testing.T) {
	if testEngine == nil {
		t.Skip("the engine needs root")
	}
	if cgroups.IsCgroup2UnifiedMode() {
		t.Skip("cgroup v2's freezer lets SIGKILL through: no unkillable process to test with")
	}
	sb := newSandbox(t.Name(), nil)
	keep, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Network: "none", Cmd: []string{"sleep", "1000"}}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	stuck, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Network: "none", Cmd: []string{"sh", "-c", "trap '' TERM; exec sleep 1000"}}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	thaw := freezeApart(t, engineOf(stuck))
	t.Cleanup(func() {
		thaw()
		// The removal Close gave up waiting for goes on, and ends now.
		for i := 0; stuck.State().Status != backend.StatusRemoved; i++ {
			if i == 3000 {
				t.Errorf("the thawed container was not removed: %+v", stuck.State())
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})

	closeCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- sb.CloseContext(closeCtx) }()
	var closeErr error
	select {
	case closeErr = <-done:
	case <-time.After(2 * time.Minute):
		thaw()
		<-done
		t.Fatal("Close waited for a container that cannot die")
	}
	want := "container " + stuck.Name() + " (" + stuck.ID()[:12] + ") was not removed in time"
	if !errors.Is(closeErr, backend.ErrLeftBehind) || !strings.Contains(closeErr.Error(), want) || !strings.Contains(closeErr.Error(), "left to berth gc") {
		t.Errorf("Close = %v, want %q ... left to berth gc", closeErr, want)
	}
	// The other container was removed; the stuck one keeps its record for gc.
	if st := keep.State(); st.Status != backend.StatusRemoved {
		t.Errorf("the other container: %+v, want removed", st)
	}
	if _, err := os.Stat(filepath.Join(testEngine.containerDir(stuck.ID()), containerdir.RecordFile)); err != nil {
		t.Errorf("the stuck container's record: %v", err)
	}
	// SIGKILL was sent: it ends with the thaw.
	thaw()
	if code, err := stuck.Wait(ctx(t)); err != nil || code != 137 {
		t.Errorf("after the thaw: exit %d, %v; want 137 (SIGKILL)", code, err)
	}
}
