package engine

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"berth/runtime/logdriver"
)

// LogOptions are docker logs' flags.
type LogOptions struct {
	Tail         int // -1 = all
	Since, Until time.Time
	Timestamps   bool
	Stdout       bool
	Stderr       bool
}

// Logs returns what the container logged (docker logs). The log is
// streamed into the text, which is built once: N bytes of logs cost about
// 2N at the peak, whatever the number of lines.
func (c *Container) Logs(ctx context.Context, opts LogOptions) (string, error) {
	r, err := logdriver.OpenReader(c.spec.Log.DriverName(), c.logInfo())
	if err != nil {
		return "", err
	}
	cfg := logdriver.ReadConfig{Tail: opts.Tail, Since: opts.Since, Until: opts.Until, Stdout: opts.Stdout, Stderr: opts.Stderr}
	text, err := logdriver.ReadAll(ctx, r, cfg, opts.Timestamps)
	if err != nil {
		return text, fmt.Errorf("logs of %s: %w", c.name, err)
	}
	return text, nil
}

// lastLines is the end of the container's log, for error messages.
func (c *Container) lastLines(n int) string {
	out, err := c.Logs(context.Background(), LogOptions{Tail: n, Stdout: true, Stderr: true})
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

var errLogMatched = errors.New("log matched")

// WaitForLog follows the log until pattern has matched occurrences lines.
// It fails at once when the container exits first, showing its last lines.
func (c *Container) WaitForLog(ctx context.Context, pattern *regexp.Regexp, occurrences int, timeout time.Duration) error {
	r, err := logdriver.OpenReader(c.spec.Log.DriverName(), c.logInfo())
	if err != nil {
		return err
	}
	exited, running := c.exitedChan()
	if !running {
		closed := make(chan struct{})
		close(closed)
		exited = closed
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// Reading ends with what was logged when the container exits or its
	// log starts losing messages: the line waited for may be among them.
	done := make(chan struct{})
	go func() {
		select {
		case <-exited:
		case <-c.logLoss.lost:
		case <-wctx.Done():
		}
		close(done)
	}()
	seen := 0
	err = r.ReadLogs(wctx, logdriver.ReadConfig{Tail: -1, Stdout: true, Stderr: true, Follow: true, Done: done},
		func(m logdriver.Message) error {
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
			c.name, pattern, occurrences, timeout, seen, c.lastLines(10))
	case err != nil:
		return err
	}
	st := c.State()
	if st.LogErrors > 0 {
		return fmt.Errorf("container %s: its log is missing lines, so %q may never match (seen %d of %d): %s\nlast lines:\n%s",
			c.name, pattern, seen, occurrences, st.Error, c.lastLines(10))
	}
	return fmt.Errorf("container %s exited (code %d) before its log matched %q (seen %d of %d)\nlast lines:\n%s",
		c.name, st.ExitCode, pattern, seen, occurrences, c.lastLines(10))
}

// WaitForPort waits until a socket in the container's network namespace
// listens on TCP port, which is when it accepts connections. It reads the
// namespace's socket table, so it works whatever the network mode.
func (c *Container) WaitForPort(ctx context.Context, port int, timeout time.Duration) error {
	if port < 1 || port > 65535 {
		return fmt.Errorf("invalid port %d: want 1-65535", port)
	}
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		st := c.State()
		if st.Status != StatusRunning {
			return fmt.Errorf("container %s is %s (exit code %d) and will never listen on port %d\nlast lines:\n%s",
				c.name, st.Status, st.ExitCode, port, c.lastLines(10))
		}
		if listening(st.Pid, port) {
			return nil
		}
		if time.Now().After(deadline) {
			return errorf(ErrTimeout, "container %s: nothing listens on port %d after %v\nlast lines:\n%s",
				c.name, port, timeout, c.lastLines(10))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// listening reports whether /proc/PID/net/tcp{,6} has a LISTEN socket on
// port.
func listening(pid, port int) bool {
	want := fmt.Sprintf(":%04X", port)
	for _, file := range []string{"tcp", "tcp6"} {
		f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/net/" + file)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) > 3 && strings.HasSuffix(fields[1], want) && fields[3] == "0A" {
				f.Close()
				return true
			}
		}
		f.Close()
	}
	return false
}
