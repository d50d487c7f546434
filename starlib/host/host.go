// Package host is the Starlark module host: checks on the host side of a
// scenario, such as a bind-mounted folder or a log file.
//
//	host = module(
//	    tempdir, read_file, write_file, exec, veth_pair,
//	)
//
// def tempdir(): creates a fresh directory (mode 0755) and returns its path.
// It is removed, with its contents, when the case ends; if the run is
// killed first, by berth gc (it is made in $TMPDIR/berth-host, named after
// the berth process).
//
// def read_file(path): returns the content of the file as a string. Only
// a regular file is read (a FIFO, a device or a socket is refused without
// being opened), and at most 64 MiB (fsroot.MaxReadFile).
//
// def write_file(path, content): writes content (a string or bytes) to the
// file, creating it and its parent directories as needed, replacing it if
// it exists.
//
// def exec(cmd, env=None, workdir=None, stdin=None): runs a program on the
// host and waits for it. cmd is a list of strings, or one string split into
// words the way a shell would split it (no shell is run). env (a dict or a
// list of "K=V") is added to berth's own environment; stdin is a string fed
// to the program. Returns an exec_result (exit_code, stdout, stderr, output);
// a non-zero exit is not an error, a program that cannot be started is.
// Cancelling the case kills the program and everything it started.
//
// def veth_pair(): creates a veth pair on the host, both ends up, and
// returns their two names: a stand-in physical network for a macvlan
// network's parent, never the host's own uplink. Removed when the case ends;
// if the run is killed first, by berth gc (the ends' alias names the berth
// process).
//
// Relative paths (path, workdir, and the working directory of exec) are
// relative to the directory of the calling .star file, not to the
// directory berth was started in, so that a suite runs the same from
// anywhere.
package host

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"golang.org/x/sys/unix"

	"berth/runtime/fsroot"
	"berth/runtime/hostmark"
	"berth/runtime/store"
	"berth/starlib/args"
	"berth/starlib/result"
	"berth/starlib/session"
)

// Module is the host module.
var Module = &starlarkstruct.Module{
	Name: "host",
	Members: starlark.StringDict{
		"tempdir":    starlark.NewBuiltin("host.tempdir", tempdir),
		"read_file":  starlark.NewBuiltin("host.read_file", readFile),
		"write_file": starlark.NewBuiltin("host.write_file", writeFile),
		"exec":       starlark.NewBuiltin("host.exec", execute),
		"veth_pair":  starlark.NewBuiltin("host.veth_pair", vethPair),
	},
}

// pipeGrace is how long exec waits for the program's output pipes to close
// after the program exited (or was killed): a background child that keeps
// them open must not hang the case.
const pipeGrace = time.Second

func tempdir(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	if err := args.Unpack(b.Name(), a, kw); err != nil {
		return nil, err
	}
	var dir string
	// Under berth's own directory and named after this process, so that
	// berth gc finds it if the run is killed.
	self, err := store.Self()
	if err == nil {
		dir, err = hostmark.MkdirTemp(self)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	// MkdirTemp makes it 0700; containers running as another user must
	// be able to read a bind-mounted temp dir.
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, errors.Join(fmt.Errorf("%s: %w", b.Name(), err), os.RemoveAll(dir))
	}
	if err := session.AddCleanup(th, func() error { return os.RemoveAll(dir) }); err != nil {
		return nil, errors.Join(fmt.Errorf("%s: %w", b.Name(), err), os.RemoveAll(dir))
	}
	return starlark.String(dir), nil
}

func readFile(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var path string
	if err := args.Unpack(b.Name(), a, kw, "path", &path); err != nil {
		return nil, err
	}
	path = resolve(th, path)
	h, err := os.OpenFile(path, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	defer h.Close()
	data, err := fsroot.ReadRegular(h, fsroot.MaxReadFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", b.Name(), path, err)
	}
	return starlark.String(data), nil
}

func writeFile(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var path string
	var content starlark.Value
	if err := args.Unpack(b.Name(), a, kw, "path", &path, "content", &content); err != nil {
		return nil, err
	}
	text, ok := starlark.AsString(content)
	if !ok {
		bs, isBytes := content.(starlark.Bytes)
		if !isBytes {
			return nil, fmt.Errorf("%s: for parameter content: got %s, want string or bytes", b.Name(), content.Type())
		}
		text = string(bs)
	}
	path = resolve(th, path)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return starlark.None, nil
}

func execute(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var (
		cmd     args.StringOrList
		env     args.StringDict
		workdir string
		stdin   string
	)
	if err := args.Unpack(b.Name(), a, kw,
		"cmd", &cmd, "env??", &env, "workdir??", &workdir, "stdin??", &stdin); err != nil {
		return nil, err
	}
	if len(cmd) == 0 {
		return nil, fmt.Errorf("%s: for parameter cmd: got an empty command, want a program and its arguments", b.Name())
	}
	extraEnv, err := env.Env()
	if err != nil {
		return nil, fmt.Errorf("%s: for parameter env: %w", b.Name(), err)
	}
	dir := resolve(th, workdir)
	// Checked here: a missing directory fails exec with the program's
	// name ("fork/exec /usr/bin/true: no such file or directory").
	if info, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("%s: for parameter workdir: %w", b.Name(), err)
	} else if !info.IsDir() {
		return nil, fmt.Errorf("%s: for parameter workdir: %s is not a directory", b.Name(), dir)
	}
	ctx := session.Context(th)

	c := exec.CommandContext(ctx, cmd[0], cmd[1:]...)
	c.Dir = dir
	c.Env = append(os.Environ(), extraEnv...)
	c.Stdin = strings.NewReader(stdin)
	var out interleaved
	c.Stdout = out.stream(&out.stdout)
	c.Stderr = out.stream(&out.stderr)
	// Its own process group, so that cancelling kills what it started too.
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error { return syscall.Kill(-c.Process.Pid, syscall.SIGKILL) }
	c.WaitDelay = pipeGrace

	err = c.Run()
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, fmt.Errorf("%s: %s: %w", b.Name(), cmd[0], ctxErr)
	}
	exitCode := 0
	var exitErr *exec.ExitError
	switch {
	case err == nil, errors.Is(err, exec.ErrWaitDelay):
	case errors.As(err, &exitErr):
		exitCode = exitErr.ExitCode()
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			exitCode = 128 + int(ws.Signal()) // as a shell reports it
		}
	default:
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	stdout, stderr, output := out.strings()
	return result.NewExec(exitCode, stdout, stderr, output), nil
}

// resolve makes path absolute, relative to the calling .star file's
// directory. An empty path is that directory itself.
func resolve(th *starlark.Thread, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(filepath.Dir(session.CallerFile(th)), path)
}

// interleaved collects stdout and stderr separately and, in the order the
// writes arrived, together.
type interleaved struct {
	mu                   sync.Mutex
	stdout, stderr, both bytes.Buffer
}

func (o *interleaved) stream(own *bytes.Buffer) *streamWriter {
	return &streamWriter{o: o, own: own}
}

func (o *interleaved) strings() (stdout, stderr, output string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.stdout.String(), o.stderr.String(), o.both.String()
}

type streamWriter struct {
	o   *interleaved
	own *bytes.Buffer
}

func (w *streamWriter) Write(p []byte) (int, error) {
	w.o.mu.Lock()
	defer w.o.mu.Unlock()
	w.own.Write(p)
	w.o.both.Write(p)
	return len(p), nil
}
