package container

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
)

// An execve that fails inside the init, after libcontainer stopped
// reporting to the parent, is an error naming the cause, through both the
// container's init (Start+Resume) and exec; a program that merely prints
// the same text and exits 255 is not.
func TestExecFailuresNameTheCause(t *testing.T) {
	r := newRuntime(t)
	root := testRootfs(t)
	huge := strings.Repeat("x", 200_000) // over the 128 KiB a string may have
	many := make([]string, 40)           // 4 MB in all, each string allowed
	for i := range many {
		many[i] = strings.Repeat("y", 100_000)
	}
	tests := []struct {
		name      string
		args      []string
		wantErrno syscall.Errno
		wantText  string
	}{
		{"NUL byte in an argument", []string{"echo", "a\x00b"}, syscall.EINVAL,
			"exec /bin/echo: invalid argument (argument 1 contains a NUL byte"},
		{"one argument too long", []string{"echo", huge}, syscall.E2BIG,
			"exec /bin/echo: argument list too long (the 2 arguments and 1 environment variables take 200040 bytes, the longest string 200001; Linux allows 131072 bytes per string"},
		{"arguments too long together", append([]string{"echo"}, many...), syscall.E2BIG,
			"exec /bin/echo: argument list too long (the 41 arguments"},
	}
	check := func(t *testing.T, err error, wantErrno syscall.Errno, wantText string) {
		t.Helper()
		if !errors.Is(err, ErrExecFailed) || !errors.Is(err, wantErrno) || !strings.HasPrefix(err.Error(), wantText) {
			t.Errorf("got %v\nwant ErrExecFailed, %v and %q", err, wantErrno, wantText)
		}
	}
	for _, tt := range tests {
		t.Run("start "+tt.name, func(t *testing.T) {
			var out bytes.Buffer
			inst, err := r.Start(&Config{ID: newID(t), Rootfs: root}, &Process{Args: tt.args, Env: []string{"PATH=/bin"}, Stdout: &out, Stderr: &out})
			if err != nil {
				t.Fatal(err)
			}
			check(t, inst.Resume(), tt.wantErrno, tt.wantText)
			if _, err := inst.Wait(); err != nil {
				t.Fatal(err)
			}
			if out.Len() != 0 {
				t.Errorf("the container's output got %q, want nothing: the error is reported, not printed", out.String())
			}
		})
	}
	inst, err := r.Start(&Config{ID: newID(t), Rootfs: root}, &Process{Args: []string{"sleep", "100"}, Env: []string{"PATH=/bin"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = inst.Signal(syscall.SIGKILL)
		_, _ = inst.Wait()
	})
	if err := inst.Resume(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run("exec "+tt.name, func(t *testing.T) {
			var out bytes.Buffer
			code, err := inst.Exec(context.Background(), &Process{Args: tt.args, Env: []string{"PATH=/bin"}, Stdout: &out, Stderr: &out})
			check(t, err, tt.wantErrno, tt.wantText)
			if code != 126 || out.Len() != 0 {
				t.Errorf("exit code %d, output %q; want 126 and nothing", code, out.String())
			}
		})
	}
	t.Run("a program that exits 255 after printing the same", func(t *testing.T) {
		var out bytes.Buffer
		code, err := inst.Exec(context.Background(), &Process{Args: []string{"sh", "-c", "echo 'exec /bin/echo: argument list too long' >&2; exit 255"},
			Env: []string{"PATH=/bin"}, Stdout: &out, Stderr: &out})
		if err != nil || code != 255 || out.String() != "exec /bin/echo: argument list too long\n" {
			t.Errorf("got code %d, %q, %v; want 255, its output and no error", code, out.String(), err)
		}
	})
}
