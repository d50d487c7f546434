package host_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
	"golang.org/x/sys/unix"

	"berth/starlib/host"
	"berth/starlib/internal/startest"
	"berth/starlib/session"
)

func TestScripts(t *testing.T) {
	startest.PassAll(t, "testdata", startest.Options(nil))
}

func TestFailures(t *testing.T) {
	dir := t.TempDir()
	fifo, big := filepath.Join(dir, "fifo"), filepath.Join(dir, "big")
	if err := unix.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 64<<20+1); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, src, want string }{
		{"missing program", `host.exec("no-such-program-berth")`, `Error in host.exec: exec: "no-such-program-berth": executable file not found in $PATH`},
		{"empty command", `host.exec([])`, "Error in host.exec: for parameter cmd: got an empty command, want a program and its arguments"},
		{"bad command", `host.exec(1)`, "Error in host.exec: for parameter cmd: got int, want string or list of strings"},
		{"unbalanced quote", `host.exec("echo 'x")`, "Error in host.exec: for parameter cmd: "},
		{"bad env", `host.exec("true", env=["X"])`, `got "X" at index 0, want "KEY=VALUE"`},
		{"env name with =", `host.exec("true", env={"A=B": "c"})`, `Error in host.exec: for parameter env: invalid environment variable name "A=B": it must not contain '='`},
		// Not "fork/exec /usr/bin/true: no such file or directory".
		{"missing workdir", `host.exec("true", workdir="/nonexistent/berth")`, "Error in host.exec: for parameter workdir: stat /nonexistent/berth: no such file or directory"},
		{"workdir is a file", `host.exec("true", workdir="/etc/hostname")`, "Error in host.exec: for parameter workdir: /etc/hostname is not a directory"},
		{"missing file", `host.read_file("/nonexistent/berth")`, "Error in host.read_file: open /nonexistent/berth: no such file or directory"},
		{"fifo", `host.read_file("` + fifo + `")`, "Error in host.read_file: " + fifo + ": not a regular file (a named pipe)"},
		{"device", `host.read_file("/dev/null")`, "Error in host.read_file: /dev/null: not a regular file (a character device)"},
		{"directory", `host.read_file("/")`, "Error in host.read_file: /: not a regular file (a directory)"},
		{"over the cap", `host.read_file("` + big + `")`, "Error in host.read_file: " + big + ": the file has 67108865 bytes, more than the limit of 67108864 (64 MiB)"},
		{"bad content", `host.write_file("/tmp/x", 1)`, "Error in host.write_file: for parameter content: got int, want string or bytes"},
		{"tempdir takes no arguments", `host.tempdir("x")`, "Error in host.tempdir: got 1 arguments, want at most 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := startest.Fail(t, "case.star", tt.src, startest.Options(nil)).Failure
			if !strings.Contains(got, tt.want) {
				t.Errorf("failure text lacks %q; got:\n%s", tt.want, got)
			}
		})
	}
}

// The temp dirs of a case are removed when it ends, passed or failed.
func TestTempdirRemovedWhenCaseEnds(t *testing.T) {
	var dirs []string
	record := starlark.NewBuiltin("record", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var dir string
		if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &dir); err != nil {
			return nil, err
		}
		if _, err := os.Stat(dir); err != nil {
			return nil, err // it must exist while the case runs
		}
		dirs = append(dirs, dir)
		return starlark.None, nil
	})
	src := `
def test_pass():
    record(host.tempdir())

def test_fail():
    d = host.tempdir()
    host.write_file(d + "/f", "x")
    record(d)
    fail("on purpose")
`
	res := startest.Fail(t, "tmp.star", src, startest.Options(starlark.StringDict{"record": record}))
	if res.Name != "test_fail" {
		t.Fatalf("failed case = %q, want test_fail", res.Name)
	}
	if len(dirs) != 2 {
		t.Fatalf("recorded %d dirs, want 2", len(dirs))
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("temp dir %s still exists after its case (stat err %v)", d, err)
		}
	}
}

func TestTempdirNeedsASession(t *testing.T) {
	_, err := starlark.Call(&starlark.Thread{}, host.Module.Members["tempdir"], nil, nil)
	if err == nil || !strings.Contains(err.Error(), session.ErrNoSession.Error()) {
		t.Errorf("tempdir without a session: err = %v, want %q", err, session.ErrNoSession)
	}
}

// Cancelling the session kills the program and what it started. Were the
// cancellation ignored, the test would hang on the sleeps.
func TestExecCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mark := filepath.Join(t.TempDir(), "started")
	go func() {
		// Cancel once the program is running, as an interrupt would.
		for {
			if _, err := os.Stat(mark); err == nil {
				cancel()
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	th := &starlark.Thread{}
	session.Set(th, &session.Session{Ctx: ctx})
	src := `host.exec(["sh", "-c", "sleep 600 & touch ` + mark + `; sleep 600"])`
	_, err := starlark.ExecFileOptions(&syntax.FileOptions{}, th, "cancel.star", src, starlark.StringDict{"host": host.Module})
	if err == nil || !strings.Contains(err.Error(), "host.exec: sh: context canceled") {
		t.Fatalf("err = %v, want the exec cancelled", err)
	}
}
