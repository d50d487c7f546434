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
	batch   Batcher      // instead of sink: messages are held until EndBatch
	pending []pendingMsg // what batch holds, in order
	// midLine as it was before the first message pending: a batch that
	// loses messages puts back what its delivered ones left.
	batchMid map[string]bool
	total    LossReport
	holes    map[string]*hole
	midLine  map[string]bool // the last message written on the stream was a piece of a line
	marker   Message         // reused: only its Line and Time change
}

// NewLossGuard returns a guard with no driver yet. notify, if set, is
// called (without the guard's lock held) each time a stream starts losing
// messages, with the totals so far.
func NewLossGuard(notify func(LossReport)) *LossGuard {
	return &LossGuard{notify: notify, holes: map[string]*hole{}, midLine: map[string]bool{}}
}

// Batcher is a driver that can hold messages and write many at once (the
// json-file driver: a write(2) per line was most of its cost). Add takes
// a message as Log does, but may hold it: an error refuses that message
// alone. FlushAdded writes what is held and says how many of the
// messages added since the last FlushAdded were delivered, in order; the
// rest are lost, and err says why.
type Batcher interface {
	Add(*Message) error
	FlushAdded() (delivered int, err error)
}

// pendingMsg is a message a Batcher holds: what the guard needs to count
// it if the batch loses it.
type pendingMsg struct {
	stream   string
	bytes    int64
	endsLine bool
	marker   *hole // the hole this message marks; nil for the process's own
}

// Attach makes sink the driver's sink for the messages that follow; nil
// detaches it (messages are then refused and counted).
func (g *LossGuard) Attach(sink Sink) {
	g.mu.Lock()
	report, started, _ := g.endBatch()
	g.sink, g.batch = sink, nil
	g.mu.Unlock()
	g.notifyIf(started, report)
}

// AttachDriver attaches d, in batches if it is a Batcher: the copiers
// then call EndBatch after each read.
func (g *LossGuard) AttachDriver(d Driver) {
	b, ok := d.(Batcher)
	if !ok {
		g.Attach(d.Log)
		return
	}
	g.mu.Lock()
	report, started, _ := g.endBatch()
	g.sink, g.batch = nil, b
	g.mu.Unlock()
	g.notifyIf(started, report)
}

// EndBatch has a Batcher deliver what it holds and counts what it lost.
// The copiers call it after each read, before they may wait for the next:
// a follower sees a line as soon as the batch it came in is written.
func (g *LossGuard) EndBatch() {
	g.mu.Lock()
	report, started, _ := g.endBatch()
	g.mu.Unlock()
	g.notifyIf(started, report)
}

func (g *LossGuard) notifyIf(started bool, report LossReport) {
	if started && g.notify != nil {
		g.notify(report)
	}
}

// endBatch flushes the batch. Messages it lost are counted as a refused
// message is, in order; a marker it lost opens its hole again (its
// messages were counted when they were lost). It reports whether a
// stream started losing messages, and whether the batch lost anything.
func (g *LossGuard) endBatch() (report LossReport, started, lost bool) {
	if g.batch == nil || len(g.pending) == 0 {
		return g.total, false, false
	}
	n, err := g.batch.FlushAdded()
	pending := g.pending
	g.pending = g.pending[:0]
	if n >= len(pending) {
		return g.total, false, false
	}
	if err == nil {
		err = errors.New("log driver lost messages")
	}
	g.midLine = g.batchMid
	for _, p := range pending[:n] {
		g.midLine[p.stream] = !p.endsLine
	}
	for _, p := range pending[n:] {
		h := g.holes[p.stream]
		if h == nil {
			h = &hole{}
			g.holes[p.stream] = h
			// A lost marker's hole goes on, as when a marker is refused
			// at once; only a new hole is news.
			started = started || p.marker == nil
		}
		if p.marker != nil {
			h.messages += p.marker.messages
			h.bytes += p.marker.bytes
			h.err = err
			continue
		}
		g.loseBytes(h, p.bytes, err)
	}
	return g.total, started, true
}

// Log is the guard's Sink. It never fails: what the driver refuses is
// counted, and the count is the guard's report.
func (g *LossGuard) Log(m *Message) error {
	g.mu.Lock()
	report, started := g.log(m)
	g.mu.Unlock()
	g.notifyIf(started, report)
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
	err := g.write(m, nil)
	if err == nil {
		g.midLine[m.Stream] = !m.EndsLine()
		return g.total, false
	}
	h = &hole{}
	g.holes[m.Stream] = h
	g.lose(h, m, err)
	return g.total, true
}

// write hands m to the driver; marker is the hole m marks, if it is a
// marker.
func (g *LossGuard) write(m *Message, marker *hole) error {
	if g.batch != nil {
		if err := g.batch.Add(m); err != nil {
			return err
		}
		if len(g.pending) == 0 {
			g.batchMid = maps.Clone(g.midLine)
		}
		g.pending = append(g.pending, pendingMsg{stream: m.Stream, bytes: messageBytes(m), endsLine: m.EndsLine(), marker: marker})
		return nil
	}
	if g.sink == nil {
		return errors.New("no log driver")
	}
	return g.sink(m)
}

// messageBytes is what the process wrote for m: its line and newline.
func messageBytes(m *Message) int64 {
	size := int64(len(m.Line))
	if m.EndsLine() {
		size++
	}
	return size
}

// lose counts m as lost in h and in the totals.
func (g *LossGuard) lose(h *hole, m *Message, err error) {
	g.loseBytes(h, messageBytes(m), err)
}

func (g *LossGuard) loseBytes(h *hole, size int64, err error) {
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
	if err := g.write(&g.marker, h); err != nil {
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
	var errs []error
	now := time.Now().UTC()
	for _, stream := range slices.Sorted(maps.Keys(g.holes)) {
		if err := g.writeMarker(stream, g.holes[stream], now); err != nil {
			errs = append(errs, fmt.Errorf("mark lost %s messages: %w", stream, err))
			continue
		}
		delete(g.holes, stream)
	}
	report, started, lost := g.endBatch()
	if lost {
		// Markers held in the batch and lost with it.
		for _, stream := range slices.Sorted(maps.Keys(g.holes)) {
			errs = append(errs, fmt.Errorf("mark lost %s messages: %w", stream, g.holes[stream].err))
		}
	}
	g.mu.Unlock()
	g.notifyIf(started, report)
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
