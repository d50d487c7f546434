package fluentd

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"berth/runtime/logdriver"
)

// asyncLedger keeps count of what an async client queued and has not yet
// sent, so nothing it gives up on goes uncounted. The client sends its
// queue in order and reports each message to AsyncResultCallback, but
// discards what is still queued when it closes, without a word (Docker
// loses those silently); the ledger counts them as dropped.
type asyncLedger struct {
	drop func(messages, bytes int64, err error)

	mu      sync.Mutex
	drained *sync.Cond
	sizes   []int64 // bytes the process wrote for each queued message, in queue order
	closed  bool    // Close has counted what was left: later results are ignored
}

func newAsyncLedger(drop func(messages, bytes int64, err error)) *asyncLedger {
	l := &asyncLedger{drop: drop}
	l.drained = sync.NewCond(&l.mu)
	return l
}

// post queues a message through send and records its size when the client
// took it. A full queue (fluentd-buffer-limit messages) is the client's
// error, returned to the caller, which counts it.
func (l *asyncLedger) post(m *logdriver.Message, send func() error) error {
	size := int64(len(m.Line))
	if m.EndsLine() {
		size++
	}
	// Hold the lock across send: the client may report the message before
	// send returns, and the result must find it in sizes.
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errors.New("fluentd log driver closed")
	}
	if err := send(); err != nil {
		return err
	}
	l.sizes = append(l.sizes, size)
	return nil
}

// result is the client's AsyncResultCallback: one call per queued message,
// in queue order.
func (l *asyncLedger) result(_ []byte, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || len(l.sizes) == 0 {
		return
	}
	size := l.sizes[0]
	l.sizes = l.sizes[1:]
	if err != nil {
		l.drop(1, size, fmt.Errorf("fluentd: %w", err))
	}
	if len(l.sizes) == 0 {
		l.drained.Broadcast()
	}
}

// close waits up to closeTimeout for the queue to be sent, closes the
// client (which discards the rest) and counts what was not sent.
func (l *asyncLedger) close(closeClient func() error) error {
	deadline := time.AfterFunc(closeTimeout, func() {
		l.mu.Lock()
		l.drained.Broadcast()
		l.mu.Unlock()
	})
	defer deadline.Stop()
	start := time.Now()
	l.mu.Lock()
	for len(l.sizes) > 0 && time.Since(start) < closeTimeout {
		l.drained.Wait()
	}
	l.mu.Unlock()

	done := make(chan error, 1)
	go func() { done <- closeClient() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(closeTimeout):
		// A write to a receiver that stopped reading blocks without a
		// fluentd-write-timeout; the container's stop must not.
		err = fmt.Errorf("close fluentd client: not closed within %v", closeTimeout)
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if n := len(l.sizes); n > 0 {
		var bytes int64
		for _, s := range l.sizes {
			bytes += s
		}
		l.drop(int64(n), bytes, fmt.Errorf("fluentd: not sent within %v of the container's stop", closeTimeout))
		l.sizes = nil
	}
	return err
}
