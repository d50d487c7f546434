package backend

import (
	"errors"
	"slices"
	"testing"

	"berth/runtime/spec"
)

func TestCommandLine(t *testing.T) {
	img := ImageConfig{Entrypoint: []string{"/entry"}, Cmd: []string{"serve"}}
	tests := []struct {
		name      string
		cs        spec.Container
		ic        ImageConfig
		entry     []string
		cmd       []string
		wantError string
	}{
		{"the image's", spec.Container{}, img, []string{"/entry"}, []string{"serve"}, ""},
		{"cmd replaces CMD", spec.Container{Cmd: []string{"x"}}, img, []string{"/entry"}, []string{"x"}, ""},
		{"entrypoint drops CMD", spec.Container{Entrypoint: []string{"/e2"}, EntrypointSet: true}, img, []string{"/e2"}, nil, ""},
		{"entrypoint and cmd", spec.Container{Entrypoint: []string{"/e2"}, EntrypointSet: true, Cmd: []string{"a"}}, img, []string{"/e2"}, []string{"a"}, ""},
		{"empty entrypoint clears", spec.Container{EntrypointSet: true, Cmd: []string{"sh"}}, img, nil, []string{"sh"}, ""},
		{"nothing to run", spec.Container{Image: "scratchy", EntrypointSet: true}, img, nil, nil, "No command specified: image scratchy has no CMD and none was given"},
	}
	for _, tt := range tests {
		entry, cmd, err := CommandLine(tt.cs, tt.ic)
		if tt.wantError != "" {
			if err == nil || err.Error() != tt.wantError || !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: error %v, want %q (ErrInvalid)", tt.name, err, tt.wantError)
			}
			continue
		}
		if err != nil || !slices.Equal(entry, tt.entry) || !slices.Equal(cmd, tt.cmd) {
			t.Errorf("%s: got %q %q %v, want %q %q", tt.name, entry, cmd, err, tt.entry, tt.cmd)
		}
	}
}
