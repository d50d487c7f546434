// Package capture holds log receivers for scenarios: servers on loopback
// (or a socket in a directory of their own) that keep what log drivers
// send them, parsed, in arrival order, so a case can assert on it.
//
// Each receiver is a Receiver: an address to give a driver, Messages to
// wait for what arrived, Close to stop it. A receiver keeps parsed
// messages in a Log, which the starlib capture module turns into dicts;
// new receivers (fluentd, CloudWatch) add a constructor here and a
// builtin there.
package capture

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Record is one parsed message: the keys a scenario reads, with string,
// int or nested map/slice values.
type Record map[string]any

// Receiver is a running log receiver.
type Receiver interface {
	// Kind names the receiver: "syslog", "fluentd", "cloudwatch".
	Kind() string
	// Address is what the driver is given (syslog-address,
	// fluentd-address, awslogs-endpoint).
	Address() string
	// Messages waits until count messages arrived and returns them in
	// arrival order; count < 0 returns what arrived so far, at once.
	Messages(ctx context.Context, count int, timeout time.Duration) ([]Record, error)
	Close() error
}

// MaxRecords and MaxBytes bound what one receiver keeps: a container can
// log without end. Past either, messages are counted in Dropped, not kept.
const (
	MaxRecords = 1_000_000
	MaxBytes   = 64 << 20
)

// Log is the messages a receiver got, safe for concurrent use. It keeps
// each message's raw text (about its own size in memory) and parses it
// when asked for: a parsed Record is a map of some 2 KB, which made a
// million kept messages cost 2 GB.
type Log struct {
	// Parse turns a raw message into its Record; set before the first Add.
	Parse func(raw string) Record

	mu      sync.Mutex
	raws    []string
	bytes   int64
	dropped int64
	changed chan struct{} // closed and replaced at each Add
}

// Add keeps a message and wakes the waiters, or counts it as dropped when
// the log is full.
func (l *Log) Add(raw string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.raws) >= MaxRecords || l.bytes+int64(len(raw)) > MaxBytes {
		l.dropped++
		return
	}
	l.raws = append(l.raws, raw)
	l.bytes += int64(len(raw))
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
}

// Dropped is how many messages were not kept because the log was full.
func (l *Log) Dropped() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.dropped
}

// Len is how many messages the log keeps.
func (l *Log) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.raws)
}

func (l *Log) parsed(raws []string) []Record {
	out := make([]Record, len(raws))
	for i, raw := range raws {
		out[i] = l.Parse(raw)
	}
	return out
}

// Wait returns the records once there are count of them (count < 0: the
// records there are now). With fewer than count at the timeout it returns
// them with a TimeoutError.
func (l *Log) Wait(ctx context.Context, count int, timeout time.Duration) ([]Record, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		l.mu.Lock()
		if count < 0 {
			count = len(l.raws)
		}
		if len(l.raws) >= count {
			raws := l.raws[:count:count] // kept messages never change
			l.mu.Unlock()
			return l.parsed(raws), nil
		}
		if l.changed == nil {
			l.changed = make(chan struct{})
		}
		changed := l.changed
		l.mu.Unlock()
		select {
		case <-changed:
		case <-timer.C:
			l.mu.Lock()
			raws := l.raws[:len(l.raws):len(l.raws)]
			l.mu.Unlock()
			out := l.parsed(raws)
			return out, &TimeoutError{Want: count, Got: len(out), Timeout: timeout}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// TimeoutError: fewer messages than asked for arrived in time.
type TimeoutError struct {
	Want, Got int
	Timeout   time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("got %d of %d messages within %v", e.Got, e.Want, e.Timeout)
}
