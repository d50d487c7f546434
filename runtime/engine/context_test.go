package engine

import (
	"berth/runtime/backend"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"berth/runtime/spec"
)

// countdownCtx is a context that is cancelled after its Err has said
// "not done" n times: run k times with n = 0, 1, 2 ..., it stops an
// operation at each of the points where it looks at its context, in turn.
type countdownCtx struct {
	context.Context
	mu   sync.Mutex
	left int
	done chan struct{}
}

func countdown(n int) *countdownCtx {
	return &countdownCtx{Context: context.Background(), left: n, done: make(chan struct{})}
}

func (c *countdownCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.left > 0 {
		c.left--
		return nil
	}
	select {
	case <-c.done:
	default:
		close(c.done)
	}
	return context.Canceled
}

func (c *countdownCtx) Done() <-chan struct{} { return c.done }

// containerDirs lists the container directories under the test root.
func containerDirs(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(testEngine.dirs.Path())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestCancelledCreateUndoesWhatItDid(t *testing.T) {
	sb := sandbox(t)
	cs := spec.Container{Image: "busybox", Cmd: []string{"true"}, Mounts: []spec.Mount{
		{Type: spec.MountVolume, Source: "data", Target: "/data"},
		{Type: spec.MountVolume, Target: "/anon"},
	}}
	before := len(containerDirs(t))
	for k := 0; ; k++ {
		c, err := sb.Create(countdown(k), cs)
		if err == nil {
			if k == 0 {
				t.Fatal("Create went ahead with a cancelled context")
			}
			if err := c.Remove(ctx(t), backend.RemoveOptions{Volumes: true}); err != nil {
				t.Fatal(err)
			}
			break
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Create stopped after %d looks at its context: %v, want context.Canceled", k, err)
		}
		if n := len(containerDirs(t)); n != before || len(sb.Containers()) != 0 {
			t.Errorf("Create stopped after %d looks left a container (%d directories, %d before)", k, n, before)
		}
		if vols, _ := sb.Volumes(ctx(t)); len(vols) != 0 {
			t.Errorf("Create stopped after %d looks left volumes %v", k, vols)
		}
	}
}

func TestCancelledStartLeavesTheContainerCreated(t *testing.T) {
	sb := sandbox(t)
	c, err := sb.Create(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"sleep", "1000"}})
	if err != nil {
		t.Fatal(err)
	}
	bridge, err := sb.Network(ctx(t), backend.NetworkBridge)
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; ; k++ {
		err := c.Start(countdown(k), backend.StartOptions{})
		if err == nil {
			if k == 0 {
				t.Fatal("Start went ahead with a cancelled context")
			}
			break
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Start stopped after %d looks at its context: %v, want context.Canceled", k, err)
		}
		if st := c.State(); st.Status != backend.StatusCreated || st.Pid != 0 || st.Error != "" {
			t.Errorf("after a start stopped after %d looks: %+v, want created, no error", k, st)
		}
		if _, err := os.Stat(filepath.Join(testEngine.runtime.StateRoot(), c.ID())); !os.IsNotExist(err) {
			t.Errorf("a start stopped after %d looks left libcontainer state: %v", k, err)
		}
		if eps, _ := testEngine.Networks().Endpoints(bridge.ID); len(eps) != 0 {
			t.Errorf("a start stopped after %d looks left endpoints %v", k, eps)
		}
	}
	if st := c.State(); st.Status != backend.StatusRunning {
		t.Errorf("after the start that went through: %+v", st)
	}
}

func TestCancelledRemoveStopsBeforeItsNextStep(t *testing.T) {
	sb := sandbox(t)
	c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"sleep", "1000"}}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	// Stopped before the kill: still running.
	if err := c.Remove(countdown(0), backend.RemoveOptions{Force: true}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Remove with a cancelled context: %v, want context.Canceled", err)
	}
	if st := c.State(); st.Status != backend.StatusRunning {
		t.Errorf("after a remove stopped before the kill: %+v, want running", st)
	}
	// Stopped after the kill: exited, not removed.
	if err := c.Remove(countdown(1), backend.RemoveOptions{Force: true}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Remove cancelled after the kill: %v, want context.Canceled", err)
	}
	if st := c.State(); st.Status != backend.StatusExited {
		t.Errorf("after a remove stopped after the kill: %+v, want exited", st)
	}
	if _, err := sb.Lookup(c.ID()); err != nil {
		t.Errorf("a stopped remove forgot the container: %v", err)
	}
	if _, err := os.Stat(testEngine.containerDir(c.ID())); err != nil {
		t.Errorf("a stopped remove deleted the container's directory: %v", err)
	}
	if err := c.Remove(ctx(t), backend.RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
}
