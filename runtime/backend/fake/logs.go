package fake

import (
	"context"
	"strings"
	"time"

	"berth/runtime/backend"
)

// timestampLayout is how docker logs --timestamps prints times (the
// json-file driver's logdriver.TimestampLayout).
const timestampLayout = "2006-01-02T15:04:05.000000000Z07:00"

// capture is a foreground run's output.
type capture struct {
	all, stdout, stderr strings.Builder
}

func (o *capture) output() backend.Output {
	return backend.Output{Output: o.all.String(), Stdout: o.stdout.String(), Stderr: o.stderr.String()}
}

// logLocked appends text to the log, one message per line, and to the
// capture of a foreground run. The caller holds c.mu.
func (c *Container) logLocked(stream, text string) {
	if text == "" {
		return
	}
	now := time.Now().UTC()
	for _, line := range strings.SplitAfter(text, "\n") {
		if line == "" {
			continue
		}
		c.logs = append(c.logs, backend.LogMessage{Stream: stream, Line: []byte(strings.TrimSuffix(line, "\n")), Time: now})
	}
	if c.capture != nil {
		c.capture.all.WriteString(text)
		if stream == "stderr" {
			c.capture.stderr.WriteString(text)
		} else {
			c.capture.stdout.WriteString(text)
		}
	}
	c.notify()
}

// Log appends text to the container's log on stream ("stdout" or
// "stderr"), as if its program printed it.
func (c *Container) Log(stream, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.logLocked(stream, text)
}

// Listen makes the running program listen on a TCP port, or stop
// listening.
func (c *Container) Listen(port int, on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state.Status == backend.StatusRunning {
		c.listening[port] = on
	}
}

func (c *Container) Listening(ctx context.Context, port int) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state.Status == backend.StatusRunning && c.listening[port], nil
}

// selected reports whether opts select m (streams and time bounds).
func selected(m backend.LogMessage, opts backend.LogOptions) bool {
	if m.Stream == "stdout" && !opts.Stdout || m.Stream == "stderr" && !opts.Stderr {
		return false
	}
	if !opts.Since.IsZero() && m.Time.Before(opts.Since) {
		return false
	}
	return opts.Until.IsZero() || !m.Time.After(opts.Until)
}

// messages returns the selected messages from index from on, the last
// opts.Tail of them when Tail >= 0, and the index to continue at.
func (c *Container) messages(from int, opts backend.LogOptions) ([]backend.LogMessage, int) {
	var out []backend.LogMessage
	for _, m := range c.logs[from:] {
		if selected(m, opts) {
			out = append(out, m)
		}
	}
	if opts.Tail >= 0 && len(out) > opts.Tail {
		out = out[len(out)-opts.Tail:]
	}
	return out, len(c.logs)
}

func (c *Container) Logs(ctx context.Context, opts backend.LogOptions) (string, error) {
	c.mu.Lock()
	msgs, _ := c.messages(0, opts)
	c.mu.Unlock()
	var b strings.Builder
	for _, m := range msgs {
		if opts.Timestamps {
			b.WriteString(m.Time.UTC().Format(timestampLayout))
			b.WriteByte(' ')
		}
		b.Write(m.Line)
		b.WriteByte('\n')
	}
	return b.String(), nil
}

func (c *Container) FollowLogs(ctx context.Context, opts backend.LogOptions, fn func(backend.LogMessage) error) error {
	next := 0
	for {
		c.mu.Lock()
		msgs, end := c.messages(next, opts)
		running := c.state.Status == backend.StatusRunning
		changed := c.changed
		c.mu.Unlock()
		next = end
		opts.Tail = -1 // only the first read starts from the end
		for _, m := range msgs {
			if err := fn(m); err != nil {
				return err
			}
		}
		if !running {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}
