package logdriver

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// DefaultMaxBufferSize is Docker's max-buffer-size for mode=non-blocking:
// 1 MB (decimal, as in Docker's ring logger).
const DefaultMaxBufferSize = 1_000_000

// DefaultFlushTimeout bounds how long closing a non-blocking driver waits
// for its buffer to drain: a stopped container's logging ends within it,
// whatever the receiver does.
const DefaultFlushTimeout = 5 * time.Second

// ErrBufferFull is why a non-blocking driver drops a message: its buffer
// holds max-buffer-size bytes the receiver has not taken yet.
var ErrBufferFull = errors.New("log buffer full (mode=non-blocking, max-buffer-size reached)")

// NonBlockingOptions configure NonBlocking.
type NonBlockingOptions struct {
	// MaxBytes bounds the bytes of lines buffered; DefaultMaxBufferSize
	// when 0.
	MaxBytes int64
	// FlushTimeout bounds Close; DefaultFlushTimeout when 0.
	FlushTimeout time.Duration
	// Drops counts what is dropped (buffer full, refused by the driver,
	// left at Close).
	Drops *Drops
}

// NonBlocking wraps any driver so that Log never waits for it: messages
// are copied into a buffer of at most MaxBytes and a goroutine hands them
// to the driver (Docker's mode=non-blocking). A message that does not fit
// is dropped and counted; so is one the driver refuses. Close waits at
// most FlushTimeout for the buffer to drain, then closes the driver and
// counts what it could not deliver.
//
// This is the generic wrapper every driver gets for mode=non-blocking:
// drivers themselves stay simple and blocking.
func NonBlocking(d Driver, opts NonBlockingOptions) Driver {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBufferSize
	}
	if opts.FlushTimeout <= 0 {
		opts.FlushTimeout = DefaultFlushTimeout
	}
	nb := &nonBlocking{d: d, opts: opts, done: make(chan struct{})}
	nb.wake = sync.NewCond(&nb.mu)
	go nb.run()
	return nb
}

type nonBlocking struct {
	d    Driver
	opts NonBlockingOptions
	done chan struct{} // closed when run returns

	mu        sync.Mutex
	wake      *sync.Cond
	queue     messages // copies, owned here
	size      int64    // bytes of lines in queue
	batch     messages // being delivered by run
	next      int      // batch.list[:next] is done with; batch.list[next] may be being delivered
	streams   []string // the stream names queued messages index
	closed    bool
	abandoned bool // Close gave up: run delivers nothing more
}

// messages is a queue of copies without pointers in its list: behind a
// stalled receiver it holds 100k messages and more, and a []Message of
// them (a line, a string, a time with its location each) cost the garbage
// collector enough to slow the container by half.
type messages struct {
	list     []queued
	arena    []byte        // the lines, one after the other
	partials []PartialMeta // the split lines' metadata
}

// queued is one message of a messages queue.
type queued struct {
	start, end int   // its line in the arena
	unixNano   int64 // its time
	stream     uint8 // its stream, an index in nonBlocking.streams
	partial    int32 // 1 + its index in partials; 0 for a whole line
}

// message rebuilds q as a Message; its line stays in the arena.
func (ms *messages) message(q queued, streams []string) Message {
	m := Message{Line: ms.arena[q.start:q.end:q.end], Stream: streams[q.stream], Time: time.Unix(0, q.unixNano).UTC()}
	if q.partial > 0 {
		m.Partial = &ms.partials[q.partial-1]
	}
	return m
}

// rawSize is what the process wrote for q (see rawSize).
func (ms *messages) rawSize(q queued) int64 {
	if q.partial > 0 && !ms.partials[q.partial-1].Last {
		return int64(q.end - q.start)
	}
	return int64(q.end-q.start) + 1
}

// reset empties ms, keeping its memory.
func (ms *messages) reset() {
	ms.list, ms.arena, ms.partials = ms.list[:0], ms.arena[:0], ms.partials[:0]
}

func (nb *nonBlocking) Name() string { return nb.d.Name() }

// Log buffers a copy of m, or drops it when the buffer is full. As in
// Docker, a message larger than the whole buffer still goes through when
// the buffer is empty.
func (nb *nonBlocking) Log(m *Message) error {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	if nb.closed {
		nb.opts.Drops.AddMessage(m, errors.New("log driver closed"))
		return nil
	}
	n := int64(len(m.Line))
	if nb.size+n > nb.opts.MaxBytes && len(nb.queue.list) > 0 {
		nb.opts.Drops.AddMessage(m, ErrBufferFull)
		return nil
	}
	q := queued{start: len(nb.queue.arena), unixNano: m.Time.UnixNano(), stream: nb.streamIndex(m.Stream)}
	nb.queue.arena = append(nb.queue.arena, m.Line...)
	q.end = len(nb.queue.arena)
	if m.Partial != nil {
		nb.queue.partials = append(nb.queue.partials, *m.Partial)
		q.partial = int32(len(nb.queue.partials))
	}
	nb.queue.list = append(nb.queue.list, q)
	nb.size += n
	nb.wake.Signal()
	return nil
}

// streamIndex is stream's index in nb.streams, added if new.
func (nb *nonBlocking) streamIndex(stream string) uint8 {
	for i, s := range nb.streams {
		if s == stream {
			return uint8(i)
		}
	}
	nb.streams = append(nb.streams, stream)
	return uint8(len(nb.streams) - 1)
}

// run hands the buffered messages to the driver, a batch at a time.
func (nb *nonBlocking) run() {
	defer close(nb.done)
	var spare messages
	for {
		nb.mu.Lock()
		for len(nb.queue.list) == 0 && !nb.closed {
			nb.wake.Wait()
		}
		if len(nb.queue.list) == 0 || nb.abandoned {
			nb.mu.Unlock()
			return
		}
		nb.batch, nb.queue, nb.size = nb.queue, spare, 0
		streams := nb.streams
		nb.mu.Unlock()
		for i, q := range nb.batch.list {
			m := nb.batch.message(q, streams)
			err := nb.d.Log(&m)
			nb.mu.Lock()
			if nb.abandoned {
				nb.mu.Unlock()
				return // Close counted this message and the rest
			}
			if err != nil {
				nb.opts.Drops.AddMessage(&m, err)
			}
			nb.next = i + 1
			nb.mu.Unlock()
		}
		nb.mu.Lock()
		// Delivered: the driver kept nothing (see Driver), so the batch's
		// memory takes the next messages.
		spare, nb.batch, nb.next = nb.batch, messages{}, 0
		spare.reset()
		nb.mu.Unlock()
	}
}

// Close drains the buffer and closes the driver, both within FlushTimeout:
// the drain may take all of it but a tenth (at most 500 ms) kept for the
// driver's Close. What was not delivered by then is counted as dropped,
// and the error says how much.
func (nb *nonBlocking) Close() error {
	nb.mu.Lock()
	nb.closed = true
	nb.wake.Signal()
	nb.mu.Unlock()
	deadline := time.Now().Add(nb.opts.FlushTimeout)
	closeReserve := min(nb.opts.FlushTimeout/10, 500*time.Millisecond)
	timer := time.NewTimer(nb.opts.FlushTimeout - closeReserve)
	defer timer.Stop()
	var lost error
	select {
	case <-nb.done:
	case <-timer.C:
		lost = nb.abandon()
	}
	// A driver stuck writing to a stalled receiver is unblocked by its
	// Close (the connection closes); one that never returns is left
	// behind rather than holding the container's stop.
	closed := make(chan error, 1)
	go func() { closed <- nb.d.Close() }()
	select {
	case err := <-closed:
		return errors.Join(lost, err)
	case <-time.After(time.Until(deadline)):
		return errors.Join(lost, fmt.Errorf("close %s log: not closed within %v of the container's stop", nb.d.Name(), nb.opts.FlushTimeout))
	}
}

// abandon stops delivery and counts as dropped everything not delivered:
// the buffer, the rest of the batch and the message being delivered.
func (nb *nonBlocking) abandon() error {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	nb.abandoned = true
	cause := fmt.Errorf("not delivered within %v of the container's stop", nb.opts.FlushTimeout)
	var msgs, bytes int64
	for _, ms := range []*messages{&nb.batch, &nb.queue} {
		list := ms.list
		if ms == &nb.batch {
			list = list[min(nb.next, len(list)):]
		}
		for _, q := range list {
			msgs++
			bytes += ms.rawSize(q)
		}
	}
	nb.opts.Drops.Add(msgs, bytes, cause)
	nb.queue, nb.size = messages{}, 0
	return fmt.Errorf("%s log: %d messages (%d bytes) %v", nb.d.Name(), msgs, bytes, cause)
}
