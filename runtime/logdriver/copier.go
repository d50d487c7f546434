package logdriver

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"
)

// MaxLineSize is the longest piece of a line one message carries: longer
// lines are split into partial messages, as Docker's copier does with its
// 16 KiB buffer.
const MaxLineSize = 16 * 1024

// readSize is how much one read of a stream takes at most.
const readSize = 64 * 1024

// Copier reads one output stream of a process and hands each line to its
// sinks as a Message, timestamped when it was read. Sinks are called one
// at a time, in order; an error from a sink is kept for Wait and does not
// stop the copy (the process must not block on a full pipe).
type Copier struct {
	stream string
	src    io.Reader
	sinks  []Sink
	flush  func() // after each read's lines, if set
	done   chan struct{}
	err    error // set before done is closed
}

// NewCopier starts copying src, named stream ("stdout" or "stderr"), to
// the sinks.
func NewCopier(stream string, src io.Reader, sinks ...Sink) *Copier {
	return NewFlushingCopier(stream, src, nil, sinks...)
}

// NewFlushingCopier is NewCopier with flush called after the lines of each
// read are delivered, before the copier waits for more: sinks that hold
// messages (LossGuard.EndBatch) write them then.
func NewFlushingCopier(stream string, src io.Reader, flush func(), sinks ...Sink) *Copier {
	c := &Copier{stream: stream, src: src, sinks: sinks, flush: flush, done: make(chan struct{})}
	go c.run()
	return c
}

// Wait returns when src has reached its end and every message has been
// delivered. The error joins a read error other than EOF and the first
// error of the sinks.
func (c *Copier) Wait() error {
	<-c.done
	return c.err
}

// run follows Docker's copier: lines are cut at '\n'; a buffer of
// MaxLineSize bytes without one is sent as a partial piece; the rest of a
// split line ends it (Partial.Last); what is left when the stream ends
// without a newline is a partial piece of its own. All pieces of a line
// carry the time of the first.
func (c *Copier) run() {
	defer close(c.done)
	var (
		// A pipe's capacity: a read takes all a fast writer left, and a
		// batch of lines is written with one write(2).
		buf     = make([]byte, readSize)
		n       int
		split   *PartialMeta // the line being split: its ID and next ordinal
		splitAt time.Time
		readErr error
		sinkErr error
		// One message, reused: sinks must not keep it (see Sink), and a
		// container printing millions of lines makes no garbage per line.
		m    Message
		last time.Time // the latest time given to a line
	)
	stamp := func(readAt time.Time) time.Time {
		if !readAt.After(last) {
			readAt = last.Add(time.Nanosecond)
		}
		last = readAt
		return readAt
	}
	deliver := func(m *Message) {
		for _, sink := range c.sinks {
			if err := sink(m); err != nil && sinkErr == nil {
				sinkErr = fmt.Errorf("log %s: %w", c.stream, err)
			}
		}
	}
	for {
		eof := false
		read, err := c.src.Read(buf[n:])
		// One clock read for the lines of a read (they arrived together;
		// a read per line was a tenth of the copy's time), made strictly
		// increasing line by line, so since and until still tell each
		// line from the next, as Docker's clock read per line does.
		readAt := time.Now().UTC()
		n += read
		if err != nil {
			eof = true
			if !errors.Is(err, io.EOF) {
				readErr = fmt.Errorf("read %s: %w", c.stream, err)
			}
		}
		p := 0
		for p < n {
			// A piece of a line is at most MaxLineSize bytes, as Docker's
			// copier with its buffer of that size.
			window := buf[p:min(n, p+MaxLineSize)]
			if i := bytes.IndexByte(window, '\n'); i >= 0 {
				m = Message{Line: window[:i], Stream: c.stream, Time: stamp(readAt)}
				if split != nil {
					m.Partial = &PartialMeta{ID: split.ID, Ordinal: split.Ordinal, Last: true}
					m.Time = splitAt
					split = nil
				}
				deliver(&m)
				p += i + 1
				continue
			}
			if len(window) < MaxLineSize && !eof {
				break // the start of a line: its end comes with a later read
			}
			// MaxLineSize bytes without a newline, or what the stream
			// ended with: a piece of a line.
			if split == nil {
				split, splitAt = &PartialMeta{ID: newPartialID(), Ordinal: 1}, stamp(readAt)
			}
			m = Message{Line: window, Stream: c.stream, Time: splitAt,
				Partial: &PartialMeta{ID: split.ID, Ordinal: split.Ordinal}}
			split.Ordinal++
			deliver(&m)
			p += len(window)
		}
		if c.flush != nil {
			c.flush()
		}
		if eof {
			c.err = errors.Join(readErr, sinkErr)
			return
		}
		n = copy(buf, buf[p:n])
	}
}

// newPartialID returns 64 random hex digits, like Docker's partial IDs.
func newPartialID() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand aborts the program instead
	return hex.EncodeToString(b[:])
}
