package logdriver

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"syscall"
	"time"
)

// LossReport is what a LossGuard counted: the messages its sink refused,
// the bytes the process wrote for them, and the latest error.
type LossReport struct {
	Messages int64
	Bytes    int64
	Err      error
}

// String is the report as State.Error and the warnings show it.
func (r LossReport) String() string {
	if r.Messages == 0 {
		return ""
	}
	return fmt.Sprintf("%d log messages (%d bytes) lost: %v", r.Messages, r.Bytes, r.Err)
}

// hole is what one stream lost since its last marker.
type hole struct {
	messages, bytes int64
	err             error
}

// LossGuard stands between the copiers and a driver: a message the driver
// refuses (a full disk, an I/O error, a remote end gone) is counted, never
// retried, and the copy goes on, so the container never blocks on a full
// pipe. Once the driver takes messages again, the next message of a stream
// that lost some is preceded by a marker on that stream (see Marker), so
// the log has no hole that does not say so.
//
// A guard lives as long as its container: Attach gives it the driver of
// each run, and what a run could not mark yet is marked in the next.
type LossGuard struct {
	notify func(LossReport)

	mu      sync.Mutex
	sink    Sink
	total   LossReport
	holes   map[string]*hole
	midLine map[string]bool // the last message written on the stream was a piece of a line
	marker  Message         // reused: only its Line and Time change
}

// NewLossGuard returns a guard with no driver yet. notify, if set, is
// called (without the guard's lock held) each time a stream starts losing
// messages, with the totals so far.
func NewLossGuard(notify func(LossReport)) *LossGuard {
	return &LossGuard{notify: notify, holes: map[string]*hole{}, midLine: map[string]bool{}}
}

// Attach makes sink the driver's sink for the messages that follow; nil
// detaches it (messages are then refused and counted).
func (g *LossGuard) Attach(sink Sink) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.sink = sink
}

// Log is the guard's Sink. It never fails: what the driver refuses is
// counted, and the count is the guard's report.
func (g *LossGuard) Log(m *Message) error {
	g.mu.Lock()
	report, started := g.log(m)
	g.mu.Unlock()
	if started && g.notify != nil {
		g.notify(report)
	}
	return nil
}

// log writes m, after the marker of its stream's hole if there is one. It
// reports whether m started a hole.
func (g *LossGuard) log(m *Message) (LossReport, bool) {
	h := g.holes[m.Stream]
	if h != nil {
		if err := g.writeMarker(m.Stream, h, m.Time); err != nil {
			g.lose(h, m, err)
			return g.total, false
		}
		delete(g.holes, m.Stream)
	}
	err := g.write(m)
	if err == nil {
		g.midLine[m.Stream] = !m.EndsLine()
		return g.total, false
	}
	h = &hole{}
	g.holes[m.Stream] = h
	g.lose(h, m, err)
	return g.total, true
}

func (g *LossGuard) write(m *Message) error {
	if g.sink == nil {
		return errors.New("no log driver")
	}
	return g.sink(m)
}

// lose counts m as lost in h and in the totals.
func (g *LossGuard) lose(h *hole, m *Message, err error) {
	size := int64(len(m.Line))
	if m.EndsLine() {
		size++
	}
	h.messages++
	h.bytes += size
	h.err = err
	g.total.Messages++
	g.total.Bytes += size
	g.total.Err = err
}

// writeMarker writes the marker of stream's hole h, dated t: the time of
// the message it precedes, so that times in the log stay in order.
func (g *LossGuard) writeMarker(stream string, h *hole, t time.Time) error {
	text := Marker(h.messages, h.bytes, h.err)
	if g.midLine[stream] {
		text = "\n" + text // end the piece the hole cut off, so the marker has a line of its own
	}
	g.marker = Message{Line: append(g.marker.Line[:0], text...), Stream: stream, Time: t}
	if err := g.write(&g.marker); err != nil {
		return err
	}
	g.midLine[stream] = false
	return nil
}

// Flush writes the markers of the holes not marked yet, if the driver
// takes them now. Call it before closing the driver; the error is the
// first marker that could not be written (the hole stays, for the next
// run to mark).
func (g *LossGuard) Flush() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	var errs []error
	now := time.Now().UTC()
	for _, stream := range slices.Sorted(maps.Keys(g.holes)) {
		if err := g.writeMarker(stream, g.holes[stream], now); err != nil {
			errs = append(errs, fmt.Errorf("mark lost %s messages: %w", stream, err))
			continue
		}
		delete(g.holes, stream)
	}
	return errors.Join(errs...)
}

// Report returns the totals so far.
func (g *LossGuard) Report() LossReport {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.total
}

// Marker is the line that stands in a log where messages were lost:
// "[berth: 12 messages (480 bytes) lost: no space left on device]". The
// cause is the system error alone when there is one, so that a log does not
// carry host paths.
func Marker(messages, bytes int64, err error) string {
	cause := "unknown error"
	var errno syscall.Errno
	switch {
	case errors.As(err, &errno):
		cause = errno.Error()
	case err != nil:
		cause = err.Error()
	}
	return fmt.Sprintf("[berth: %d messages (%d bytes) lost: %s]", messages, bytes, cause)
}
