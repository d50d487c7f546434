package logdriver

import (
	"context"
	"time"
)

// Driver takes a container's log messages somewhere. Log may be called
// from several goroutines at once (stdout and stderr have a Copier each);
// it must not keep the Message after returning.
type Driver interface {
	Name() string
	Log(*Message) error
	Close() error
}

// Reader gives back what a driver logged. ReadLogs calls fn for each
// message in order; an error from fn ends the read and is returned as is.
// The message and its Line are valid only during the call.
type Reader interface {
	ReadLogs(ctx context.Context, cfg ReadConfig, fn func(Message) error) error
}

// ReadConfig selects what ReadLogs hands out (docker logs' flags).
type ReadConfig struct {
	// Tail: -1 all, 0 nothing, N the last N messages among those the
	// stream and time filters select. (Docker takes the last N lines first
	// and filters them after, which can show fewer than N.)
	Tail int
	// Since and Until bound message times, both inclusive as in Docker:
	// Since <= time <= Until. Zero means unbounded.
	Since, Until time.Time
	// Stdout and Stderr select the streams; at least one must be set.
	Stdout, Stderr bool
	// Follow keeps reading as messages are logged, until ctx is done,
	// Until is passed or Done is closed.
	Follow bool
	// Done, with Follow, is closed once the container has exited and its
	// driver is closed: reading then hands out what is left and returns nil.
	Done <-chan struct{}
}
