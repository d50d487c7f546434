package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"berth/runtime/backend"
	"berth/runtime/capped"
	"berth/runtime/container"
	"berth/runtime/spec"
)

// Exec runs a process in the running container (docker exec).
func (c *Container) Exec(ctx context.Context, opts backend.ExecOptions) (backend.ExecResult, error) {
	c.mu.Lock()
	inst, status := c.liveInst.Load(), c.status
	c.mu.Unlock()
	if inst == nil {
		return backend.ExecResult{}, backend.NotRunning(c.id, status)
	}
	if len(opts.Cmd) == 0 {
		return backend.ExecResult{}, errors.New("exec: no command given: want a command string or a list of arguments")
	}
	if err := spec.CheckProcess("exec command", opts.Cmd, opts.Env); err != nil {
		return backend.ExecResult{}, err
	}
	if err := spec.CheckEnv(opts.Env); err != nil {
		return backend.ExecResult{}, err
	}
	if err := spec.CheckUser(opts.User); err != nil {
		return backend.ExecResult{}, err
	}
	userSpec := opts.User
	if userSpec == "" {
		userSpec = c.spec.User
	}
	p, err := c.newProcess(userSpec, opts.Cmd, opts.Env, opts.Workdir, opts.Stdin)
	if err != nil {
		return backend.ExecResult{}, err
	}
	out := newInterleaved()
	stdout, stderr := out.stream(), out.stream()
	p.Stdout, p.Stderr = stdout, stderr
	code, err := inst.Exec(ctx, p)
	out.seal() // the process and its output are done
	res := backend.ExecResult{ExitCode: code, Stdout: stdout.String(), Stderr: stderr.String(), Output: out.String()}
	if err != nil {
		if errors.Is(err, container.ErrExecNotFound) || errors.Is(err, container.ErrExecFailed) {
			return res, fmt.Errorf("OCI runtime exec failed: %w", err)
		}
		return res, err
	}
	return res, nil
}

// execNote ends the marker of a cut exec output.
const execNote = "exec output is not logged: the rest is gone"

// interleaved keeps stdout and stderr apart and also together, in the
// order their writes arrived, each bounded: the process is the
// container's.
type interleaved struct {
	mu      sync.Mutex
	all     *capped.Buffer
	streams []*streamBuf
}

func newInterleaved() *interleaved {
	return &interleaved{all: capped.New(capped.Value, execNote)}
}

func (o *interleaved) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.all.String()
}

func (o *interleaved) stream() *streamBuf {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := &streamBuf{parent: o, buf: capped.New(capped.Value, execNote)}
	o.streams = append(o.streams, s)
	return s
}

// seal builds the final texts in place: nothing is written any more.
func (o *interleaved) seal() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.all.Seal()
	for _, s := range o.streams {
		s.buf.Seal()
	}
}

type streamBuf struct {
	parent *interleaved
	buf    *capped.Buffer
}

var _ io.Writer = (*streamBuf)(nil)

func (s *streamBuf) Write(p []byte) (int, error) {
	s.parent.mu.Lock()
	defer s.parent.mu.Unlock()
	if _, err := s.parent.all.Write(p); err != nil {
		return 0, err
	}
	return s.buf.Write(p)
}

func (s *streamBuf) String() string {
	s.parent.mu.Lock()
	defer s.parent.mu.Unlock()
	return s.buf.String()
}
