package engine

import (
	"berth/runtime/backend"
	"errors"
	"strings"
	"testing"
	"time"

	"berth/runtime/spec"
)

// tokenOf is the prefix of the names the sandbox stores its networks and
// volumes under, read off a volume it makes and removes.
func tokenOf(t *testing.T, sb backend.Sandbox) string {
	t.Helper()
	v, err := sb.CreateVolume(ctx(t), "tokenprobe", backend.VolumeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.RemoveVolume(ctx(t), "tokenprobe", false); err != nil {
		t.Fatal(err)
	}
	token, ok := strings.CutSuffix(v.StoredName, "_tokenprobe")
	if !ok || !strings.HasPrefix(token, "sb") {
		t.Fatalf("stored name %q: want sbXXXXXXXX_tokenprobe", v.StoredName)
	}
	return token
}

// leftovers lists the networks and volumes stored under the sandbox's
// token: what its Close should have removed.
func leftovers(t *testing.T, token string) []string {
	t.Helper()
	var left []string
	nets, err := testEngine.Networks().List()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nets {
		if strings.HasPrefix(n.Name, token) {
			left = append(left, "network "+n.Name)
		}
	}
	vols, err := testEngine.Volumes().List()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vols {
		if strings.HasPrefix(v.Name, token) {
			left = append(left, "volume "+v.Name)
		}
	}
	return left
}

func TestClosedSandboxCreatesNothing(t *testing.T) {
	sb := sandbox(t)
	token := tokenOf(t, sb)
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	volMount := []spec.Mount{{Type: spec.MountVolume, Source: "data", Target: "/data"}}
	attempts := map[string]func() error{
		"network": func() error { _, err := sb.CreateNetwork(ctx(t), "net1", backend.NetworkOptions{}); return err },
		"volume":  func() error { _, err := sb.CreateVolume(ctx(t), "vol1", backend.VolumeOptions{}); return err },
		"default bridge": func() error {
			_, err := sb.Network(ctx(t), backend.NetworkBridge)
			return err
		},
		"container with a volume": func() error {
			_, err := sb.Create(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"true"}, Network: "none", Mounts: volMount})
			return err
		},
	}
	for name, attempt := range attempts {
		err := attempt()
		if !errors.Is(err, backend.ErrClosed) || !strings.Contains(err.Error(), "the sandbox "+sb.Label()+" is closed") {
			t.Errorf("%s in a closed sandbox: got %v, want the sandbox is closed", name, err)
		}
	}
	if left := leftovers(t, token); len(left) > 0 {
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
		sb := newSandbox(t.Name(), nil)
		token := tokenOf(t, sb)
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
		if createErr != nil && !errors.Is(createErr, backend.ErrClosed) {
			t.Errorf("round %d: create: %v", i, createErr)
		}
		if left := leftovers(t, token); len(left) > 0 {
			t.Errorf("round %d: create (%v) racing close (%v) left %v", i, createErr, closeErr, left)
		}
	}
}
