package backend

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// LogWatcher is what WaitForLog and the diagnostics read of a container.
type LogWatcher interface {
	Name() string
	State() ContainerState
	LogSource
}

// PortWatcher is what WaitForPort reads of a container.
type PortWatcher interface {
	LogWatcher
	PortProbe
}

// portPoll is how often WaitForPort looks at the socket table.
const portPoll = 10 * time.Millisecond

var errLogMatched = errors.New("log matched")

// WaitForLog follows c's log until pattern has matched occurrences lines
// (wait_for_log). It fails at once when the container is not running or
// stops first, and after timeout, showing the last lines either way.
func WaitForLog(ctx context.Context, c LogWatcher, pattern *regexp.Regexp, occurrences int, timeout time.Duration) error {
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	seen := 0
	err := c.FollowLogs(wctx, LogOptions{Tail: -1, Stdout: true, Stderr: true}, func(m LogMessage) error {
		if pattern.Match(m.Line) {
			seen++
			if seen >= occurrences {
				return errLogMatched
			}
		}
		return nil
	})
	switch {
	case errors.Is(err, errLogMatched):
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case wctx.Err() != nil:
		return errorf(ErrTimeout, "container %s: log did not match %q %d time(s) within %v (seen %d)\nlast lines:\n%s",
			c.Name(), pattern, occurrences, timeout, seen, LastLines(ctx, c, 10))
	case err != nil:
		return err
	}
	st := c.State()
	if st.LogErrors > 0 {
		return fmt.Errorf("container %s: its log is missing lines, so %q may never match (seen %d of %d): %s\nlast lines:\n%s",
			c.Name(), pattern, seen, occurrences, st.Error, LastLines(ctx, c, 10))
	}
	return fmt.Errorf("container %s exited (code %d) before its log matched %q (seen %d of %d)\nlast lines:\n%s",
		c.Name(), st.ExitCode, pattern, seen, occurrences, LastLines(ctx, c, 10))
}

// WaitForPort waits until c listens on TCP port, which is when it accepts
// connections (wait_for_port). It fails at once when the container is not
// running, and after timeout, showing the last lines either way.
func WaitForPort(ctx context.Context, c PortWatcher, port int, timeout time.Duration) error {
	if port < 1 || port > 65535 {
		return fmt.Errorf("invalid port %d: want 1-65535", port)
	}
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(portPoll)
	defer tick.Stop()
	for {
		st := c.State()
		if st.Status != StatusRunning {
			return fmt.Errorf("container %s is %s (exit code %d) and will never listen on port %d\nlast lines:\n%s",
				c.Name(), st.Status, st.ExitCode, port, LastLines(ctx, c, 10))
		}
		ok, err := c.Listening(ctx, port)
		if err != nil {
			return fmt.Errorf("container %s: port %d: %w", c.Name(), port, err)
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return errorf(ErrTimeout, "container %s: nothing listens on port %d after %v\nlast lines:\n%s",
				c.Name(), port, timeout, LastLines(ctx, c, 10))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// LastLines is the end of c's log, indented, for error messages.
func LastLines(ctx context.Context, c LogSource, n int) string {
	out, err := c.Logs(ctx, LogOptions{Tail: n, Stdout: true, Stderr: true})
	if err != nil {
		return "  (no logs: " + err.Error() + ")"
	}
	if out == "" {
		return "  (no output)"
	}
	return indent(out, "  | ")
}

func indent(s, prefix string) string {
	s = strings.TrimSuffix(s, "\n")
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// Described is what Describe reads of a container.
type Described interface {
	LogWatcher
	ID() string
	ImageRef() string
}

// Describe is a container's part of a failure report: its state and last
// log lines, so the failure can be understood without a rerun.
func Describe(ctx context.Context, c Described) string {
	st := c.State()
	var b strings.Builder
	fmt.Fprintf(&b, "container %s (%s, image %s): %s", c.Name(), shortID(c.ID()), c.ImageRef(), st.Status)
	if st.Status == StatusExited || st.Error != "" {
		fmt.Fprintf(&b, ", exit code %d", st.ExitCode)
	}
	if st.OOMKilled {
		b.WriteString(", OOM-killed")
	}
	if st.LogDrops > 0 {
		fmt.Fprintf(&b, ", log_drops %d", st.LogDrops)
	}
	if st.Error != "" {
		fmt.Fprintf(&b, ", error: %s", st.Error)
	}
	b.WriteString("\n")
	b.WriteString(LastLines(ctx, c, 10))
	b.WriteString("\n")
	return b.String()
}
