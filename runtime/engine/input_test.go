package engine

import (
	"berth/runtime/backend"
	"errors"
	"strings"
	"testing"

	"berth/runtime/spec"
)

// Bad input through the engine's API is refused with an error that names
// the value as the user gave it, and leaves nothing behind.
func TestBadInputIsRefusedNamingTheValue(t *testing.T) {
	sb := sandbox(t)
	long := strings.Repeat("v", 250) // fits the store, not once prefixed with the sandbox's token
	runningCtr, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"sleep", "1000"}}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		do   func() error
		want string
	}{
		{"long volume name", func() error { _, err := sb.CreateVolume(ctx(t), long, backend.VolumeOptions{}); return err },
			`volume name "` + long + `" is too long: 250 characters, at most 244 are allowed`},
		{"long volume name of a mount", func() error {
			_, err := sb.Create(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"true"},
				Mounts: []spec.Mount{{Type: spec.MountVolume, Source: long, Target: "/data"}}})
			return err
		}, `volume name "` + long + `" is too long`},
		{"non-ASCII network name", func() error { _, err := sb.CreateNetwork(ctx(t), "ünï", backend.NetworkOptions{}); return err },
			`invalid network name "ünï"`},
		{"unknown bridge option", func() error {
			_, err := sb.CreateNetwork(ctx(t), "n1", backend.NetworkOptions{Options: map[string]string{"com.docker.network.bridge.name": "x"}})
			return err
		}, `unknown option "com.docker.network.bridge.name" for the bridge driver`},
		{"alias with a space", func() error {
			_, err := sb.Create(ctx(t), spec.Container{Image: "busybox", Network: "mynet", Aliases: []string{"a b"}})
			return err
		}, `invalid alias "a b"`},
		{"exec env key with =", func() error {
			_, err := runningCtr.Exec(ctx(t), backend.ExecOptions{Cmd: []string{"true"}, Env: []string{"=x"}})
			return err
		}, "invalid environment variable: =x"},
		{"exec user 1:2:3", func() error {
			_, err := runningCtr.Exec(ctx(t), backend.ExecOptions{Cmd: []string{"true"}, User: "1:2:3"})
			return err
		}, `invalid user "1:2:3"`},
	}
	token := tokenOf(t, sb)
	before, beforeLeft := len(containerDirs(t)), leftovers(t, token)
	for _, tt := range tests {
		err := tt.do()
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, spec.ErrInvalid) {
			t.Errorf("%s: %v, want an invalid-argument error containing %q", tt.name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), token) {
			t.Errorf("%s: the error shows the stored name: %v", tt.name, err)
		}
	}
	if left := leftovers(t, token); len(left) != len(beforeLeft) {
		t.Errorf("bad input left %v (before: %v)", left, beforeLeft)
	}
	if n := len(containerDirs(t)); n != before {
		t.Errorf("bad input left %d container directories", n-before)
	}
	// The same name is fine for a kept volume, which is stored as named.
	v, err := sb.CreateVolume(ctx(t), long, backend.VolumeOptions{Keep: true})
	if err != nil {
		t.Fatalf("kept volume with a 250-character name: %v", err)
	}
	if err := removeStored(t, v.StoredName); err != nil {
		t.Fatal(err)
	}
}

// The ends of the ranges spec accepts are limits the kernel takes.
func TestLimitsAtTheEndsOfTheirRanges(t *testing.T) {
	sb := sandbox(t)
	c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Network: "none", Cmd: []string{"true"},
		Resources: spec.Resources{Memory: 1 << 60, PidsLimit: 4194304, CPUQuota: 1<<44 - 1, CPUPeriod: 100000}}, backend.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st := c.State(); st.ExitCode != 0 {
		t.Errorf("state %+v, want exit 0", st)
	}
}
