package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"berth/starlib/session"
)

// DefaultTeardownTimeout bounds a sandbox's Close when Options sets none:
// one stuck container must not hang a CI run.
const DefaultTeardownTimeout = time.Minute

// teardownContext is the deadline of one sandbox's diagnostics and Close.
// It does not derive from the run's context: an interrupted run still
// removes what it made.
func (fr *fileRun) teardownContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), fr.teardownTimeout())
}

func (fr *fileRun) teardownTimeout() time.Duration {
	if d := fr.opts.TeardownTimeout; d > 0 {
		return d
	}
	return DefaultTeardownTimeout
}

// boundedDiagnostics collects the sandboxes' diagnostics, giving up when
// ctx ends: a container held by an operation that never returns must not
// stop the teardown that follows.
func boundedDiagnostics(ctx context.Context, sb, fileSB Sandbox) string {
	done := make(chan string, 1)
	go func() { done <- diagnostics(ctx, sb, fileSB) }()
	select {
	case d := <-done:
		return d
	case <-ctx.Done():
		return "(no diagnostics: collecting them did not finish in time)"
	}
}

// teardown closes the sandbox within ctx, then runs the session's cleanups
// (a temp dir may be bind-mounted into a container of the sandbox). A
// Close that has not returned its report of what it left behind one
// teardown timeout after its deadline is given up on.
func (fr *fileRun) teardown(ctx context.Context, sb Sandbox, sess *session.Session) error {
	var errs []error
	done := make(chan error, 1)
	go func() { done <- sb.Close(ctx) }()
	if err, finished := waitGrace(ctx, fr.teardownTimeout(), done); !finished {
		errs = append(errs, errors.New("close sandbox: it did not finish in time; what it made is left to berth gc"))
	} else if err != nil {
		errs = append(errs, fmt.Errorf("close sandbox: %w", err))
	}
	if err := sess.RunCleanups(); err != nil {
		errs = append(errs, fmt.Errorf("cleanup: %w", err))
	}
	return errors.Join(errs...)
}

// waitGrace waits for done until grace after ctx ends.
func waitGrace(ctx context.Context, grace time.Duration, done <-chan error) (err error, finished bool) {
	select {
	case err := <-done:
		return err, true
	case <-ctx.Done():
	}
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case err := <-done:
		return err, true
	case <-timer.C:
		return nil, false
	}
}
