package fake_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"berth/runtime/backend"
	"berth/runtime/backend/fake"
	"berth/runtime/spec"
)

var ctx = context.Background()

// setup returns a fake backend and a top-level sandbox over it; when the
// test ends the sandbox is closed and the backend must be empty.
func setup(t *testing.T) (*fake.Backend, backend.Sandbox) {
	t.Helper()
	b := fake.New()
	sbs := backend.NewSandboxes(b)
	sb, err := sbs.New("t.star", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := sbs.Close(); err != nil {
			t.Errorf("close sandboxes: %v", err)
		}
		if err := b.Close(); err != nil {
			t.Errorf("close backend: %v", err)
		}
	})
	return b, sb
}

// busybox is a container spec running cmd in busybox.
func busybox(cmd ...string) spec.Container {
	return spec.Container{Image: "busybox", Cmd: cmd}
}

// run runs cs detached and returns its fake container.
func run(t *testing.T, sb backend.Sandbox, cs spec.Container) *fake.Container {
	t.Helper()
	c, err := sb.Run(ctx, cs, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatalf("run %q: %v", cs.Cmd, err)
	}
	return c.(*fake.Container)
}

// wantError fails unless err prints want and matches kind (when set).
func wantError(t *testing.T, what string, err error, want string, kind error) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("%s: no error, want %q", what, want)
	case !strings.Contains(err.Error(), want):
		t.Errorf("%s: error %q, want %q", what, err, want)
	case kind != nil && !errors.Is(err, kind):
		t.Errorf("%s: error %q does not match %v", what, err, kind)
	}
}

func wantStatus(t *testing.T, c backend.Container, status backend.Status, code int) {
	t.Helper()
	if st := c.State(); st.Status != status || st.ExitCode != code {
		t.Errorf("%s: state %s (exit code %d), want %s (%d)", c.Name(), st.Status, st.ExitCode, status, code)
	}
}

// fakeExits is a program that exits at once with code.
func fakeExits(code int) fake.Program { return fake.Program{ExitCode: code} }
