package engine

import (
	"berth/runtime/backend"
	"errors"
	"strings"
	"syscall"
	"testing"

	"berth/runtime/container"
	"berth/runtime/spec"
)

// run and exec of a command the kernel cannot execute fail with an error
// naming the cause, not with exit code 255 and the init's message in the
// output; a NUL byte is refused before anything starts.
func TestExecFailuresNameTheCause(t *testing.T) {
	sb := sandbox(t)
	huge := strings.Repeat("x", 200_000)
	t.Run("run, argument list too long", func(t *testing.T) {
		c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"echo", huge}}, backend.RunOptions{})
		const want = "exec /bin/echo: argument list too long (the 2 arguments"
		if !errors.Is(err, container.ErrExecFailed) || !errors.Is(err, syscall.E2BIG) || !strings.Contains(err.Error(), want) {
			t.Fatalf("got %v, want %q", err, want)
		}
		st := c.State()
		if st.Status != backend.StatusCreated || st.ExitCode != 126 || !strings.HasPrefix(st.Error, want) {
			t.Errorf("state %s, exit code %d, error %q; want created, 126 and the error", st.Status, st.ExitCode, st.Error)
		}
		if out := foreground(c).Output; out != "" {
			t.Errorf("output %q, want nothing", out)
		}
	})
	nul := []struct {
		name string
		cs   spec.Container
		want string
	}{
		{"run, NUL byte in an argument", spec.Container{Image: "busybox", Cmd: []string{"echo", "a", "b\x00c"}},
			`invalid cmd: argument 2 ("b\x00c") contains a NUL byte`},
		{"run, NUL byte in a variable", spec.Container{Image: "busybox", Cmd: []string{"true"}, Env: []string{"A=\x00"}},
			`invalid environment variable 0 ("A=\x00"): it contains a NUL byte`},
	}
	for _, tt := range nul {
		t.Run(tt.name, func(t *testing.T) {
			before := len(sb.Containers())
			c, err := sb.Run(ctx(t), tt.cs, backend.RunOptions{})
			if c != nil || !errors.Is(err, spec.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, %v; want no container and %q", c, err, tt.want)
			}
			if after := len(sb.Containers()); after != before {
				t.Errorf("%d containers in the sandbox, want %d", after, before)
			}
		})
	}

	c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"sleep", "1000"}}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("exec, argument list too long", func(t *testing.T) {
		res, err := c.Exec(ctx(t), backend.ExecOptions{Cmd: []string{"echo", huge}})
		const want = "OCI runtime exec failed: exec /bin/echo: argument list too long (the 2 arguments"
		if !errors.Is(err, container.ErrExecFailed) || !strings.HasPrefix(err.Error(), want) {
			t.Fatalf("got %v, want %q", err, want)
		}
		if res.ExitCode != 126 || res.Output != "" {
			t.Errorf("result %+v, want exit code 126 and no output", res)
		}
	})
	t.Run("exec, NUL byte in an argument", func(t *testing.T) {
		_, err := c.Exec(ctx(t), backend.ExecOptions{Cmd: []string{"echo", "a\x00"}})
		const want = `invalid exec command: argument 1 ("a\x00") contains a NUL byte`
		if !errors.Is(err, spec.ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Fatalf("got %v, want %q", err, want)
		}
	})
}
