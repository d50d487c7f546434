package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"berth/runtime/container"
	"berth/runtime/spec"
)

// ExecOptions are docker exec's flags.
type ExecOptions struct {
	Cmd     []string
	Env     []string
	User    string
	Workdir string
	Stdin   *string
}

// ExecResult is how an exec'd process ended and what it printed.
type ExecResult struct {
	ExitCode               int
	Stdout, Stderr, Output string
}

// Exec runs a process in the running container (docker exec).
func (c *Container) Exec(ctx context.Context, opts ExecOptions) (ExecResult, error) {
	c.mu.Lock()
	inst, status := c.inst, c.status
	c.mu.Unlock()
	if inst == nil {
		return ExecResult{}, errorf(ErrNotRunning, "%s", &TransitionError{ID: c.id, From: status, Event: "exec"})
	}
	if len(opts.Cmd) == 0 {
		return ExecResult{}, errors.New("exec: no command given: want a command string or a list of arguments")
	}
	if err := spec.CheckEnv(opts.Env); err != nil {
		return ExecResult{}, err
	}
	if err := spec.CheckUser(opts.User); err != nil {
		return ExecResult{}, err
	}
	userSpec := opts.User
	if userSpec == "" {
		userSpec = c.spec.User
	}
	u, err := c.resolveUser(userSpec)
	if err != nil {
		return ExecResult{}, err
	}
	cwd := opts.Workdir
	if cwd == "" {
		if cwd, err = c.workdir(c.spec.Workdir); err != nil {
			return ExecResult{}, err
		}
	}
	var out interleaved
	stdout, stderr := out.stream(), out.stream()
	p := &container.Process{
		Args: opts.Cmd, Env: c.processEnv(u, opts.Env), Cwd: cwd,
		UID: u.Uid, GID: u.Gid, Groups: u.Sgids,
		Stdout: stdout, Stderr: stderr,
	}
	if opts.Stdin != nil {
		p.Stdin = strings.NewReader(*opts.Stdin)
	}
	code, err := inst.Exec(ctx, p)
	res := ExecResult{ExitCode: code, Stdout: stdout.String(), Stderr: stderr.String(), Output: out.String()}
	if err != nil {
		if errors.Is(err, container.ErrExecNotFound) {
			return res, fmt.Errorf("OCI runtime exec failed: %w", err)
		}
		return res, err
	}
	return res, nil
}

// interleaved keeps stdout and stderr apart and also together, in the
// order their writes arrived.
type interleaved struct {
	mu  sync.Mutex
	all bytes.Buffer
}

func (o *interleaved) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.all.String()
}

func (o *interleaved) stream() *streamBuf { return &streamBuf{parent: o} }

type streamBuf struct {
	parent *interleaved
	buf    bytes.Buffer
}

var _ io.Writer = (*streamBuf)(nil)

func (s *streamBuf) Write(p []byte) (int, error) {
	s.parent.mu.Lock()
	defer s.parent.mu.Unlock()
	s.parent.all.Write(p)
	return s.buf.Write(p)
}

func (s *streamBuf) String() string {
	s.parent.mu.Lock()
	defer s.parent.mu.Unlock()
	return s.buf.String()
}
