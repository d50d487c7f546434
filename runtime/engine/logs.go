package engine

import (
	"context"
	"fmt"

	"berth/runtime/backend"
	"berth/runtime/logdriver"
	"berth/runtime/network"
)

// Logs returns what the container logged (docker logs). The log is
// streamed into the text, which is built once: N bytes of logs cost about
// 2N at the peak, whatever the number of lines.
func (c *Container) Logs(ctx context.Context, opts backend.LogOptions) (string, error) {
	r, err := c.e.logs.OpenReader(c.spec.Log.DriverName(), c.logInfo())
	if err != nil {
		return "", err
	}
	text, err := logdriver.ReadAll(ctx, r, readConfig(opts), opts.Timestamps)
	if err != nil {
		return text, fmt.Errorf("logs of %s: %w", c.name, err)
	}
	return text, nil
}

func readConfig(opts backend.LogOptions) logdriver.ReadConfig {
	return logdriver.ReadConfig{Tail: opts.Tail, Since: opts.Since, Until: opts.Until, Stdout: opts.Stdout, Stderr: opts.Stderr}
}

// FollowLogs calls fn with each message of the log, then with each new
// one, until the container exits or its log starts losing messages (the
// line waited for may be among those), and the log has been read to
// there.
func (c *Container) FollowLogs(ctx context.Context, opts backend.LogOptions, fn func(backend.LogMessage) error) error {
	r, err := c.e.logs.OpenReader(c.spec.Log.DriverName(), c.logInfo())
	if err != nil {
		return err
	}
	exited, running := c.exitedChan()
	if !running {
		closed := make(chan struct{})
		close(closed)
		exited = closed
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		select {
		case <-exited:
		case <-c.logLoss.lost:
		case <-ctx.Done():
		}
		close(done)
	}()
	cfg := readConfig(opts)
	cfg.Follow, cfg.Done = true, done
	return r.ReadLogs(ctx, cfg, func(m logdriver.Message) error {
		return fn(backend.LogMessage{Stream: m.Stream, Line: m.Line, Time: m.Time})
	})
}

// Listening reports whether a socket in the container's network namespace
// listens on TCP port: it reads the namespace's socket table, so it works
// whatever the network mode.
func (c *Container) Listening(ctx context.Context, port int) (bool, error) {
	st := c.State()
	if st.Status != backend.StatusRunning {
		return false, nil
	}
	return network.Listening(st.Pid, port), nil
}
