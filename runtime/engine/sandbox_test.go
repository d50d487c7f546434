package engine

import (
	"errors"
	"strings"
	"testing"
	"time"

	"berth/runtime/spec"
)

// leftovers lists the networks and volumes stored under the sandbox's
// token: what its Close should have removed.
func leftovers(t *testing.T, sb *Sandbox) []string {
	t.Helper()
	var left []string
	nets, err := testEngine.Networks().List()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nets {
		if strings.HasPrefix(n.Name, sb.token) {
			left = append(left, "network "+n.Name)
		}
	}
	vols, err := testEngine.Volumes().List()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vols {
		if strings.HasPrefix(v.Name, sb.token) {
			left = append(left, "volume "+v.Name)
		}
	}
	return left
}

func TestClosedSandboxCreatesNothing(t *testing.T) {
	sb := sandbox(t)
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	volMount := []spec.Mount{{Type: spec.MountVolume, Source: "data", Target: "/data"}}
	attempts := map[string]func() error{
		"network": func() error { _, err := sb.CreateNetwork("net1", NetworkOptions{}); return err },
		"volume":  func() error { _, err := sb.CreateVolume("vol1", VolumeOptions{}); return err },
		"default bridge": func() error {
			_, err := sb.Network(defaultBridge)
			return err
		},
		"container with a volume": func() error {
			_, err := sb.Create(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"true"}, Network: "none", Mounts: volMount})
			return err
		},
	}
	for name, attempt := range attempts {
		err := attempt()
		if !errors.Is(err, ErrClosed) || !strings.Contains(err.Error(), "the sandbox "+sb.Label()+" is closed") {
			t.Errorf("%s in a closed sandbox: got %v, want the sandbox is closed", name, err)
		}
	}
	if left := leftovers(t, sb); len(left) > 0 {
		t.Errorf("a closed sandbox made %v", left)
	}
}

// A create that loses the race with Close removes what it made at once:
// nothing of the sandbox's outlives its Close, whichever came first.
func TestCreateRacingCloseLeavesNothing(t *testing.T) {
	if testEngine == nil {
		t.Skip("the engine needs root")
	}
	for i := range 12 {
		sb := testEngine.NewSandbox(t.Name(), nil)
		done := make(chan error, 1)
		go func() {
			_, err := sb.Create(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"true"},
				Mounts: []spec.Mount{{Type: spec.MountVolume, Source: "data", Target: "/data"}}})
			done <- err
		}()
		// Close at a different point of the create each round.
		time.Sleep(time.Duration(i) * 10 * time.Millisecond)
		closeErr := sb.Close()
		createErr := <-done
		t.Logf("round %d: create: %v; close: %v", i, createErr, closeErr)
		if createErr != nil && !errors.Is(createErr, ErrClosed) {
			t.Errorf("round %d: create: %v", i, createErr)
		}
		if left := leftovers(t, sb); len(left) > 0 {
			t.Errorf("round %d: create (%v) racing close (%v) left %v", i, createErr, closeErr, left)
		}
	}
}
