package logdriver

import (
	"fmt"
	"sync"
)

// Drops counts the messages a driver took but could not deliver: a
// non-blocking buffer that was full, a receiver that was down or refused
// them, what was still buffered when the container stopped. Docker drops
// these silently; berth counts them (log_drops) and says why. A container
// keeps one Drops for its whole life and hands it to each run's driver in
// Info.Drops; a driver that can drop (the non-blocking wrapper, an async
// remote driver) calls Add for every message it gives up on.
//
// It is safe for concurrent use; a nil *Drops counts nothing.
type Drops struct {
	mu       sync.Mutex
	messages int64
	bytes    int64
	err      error
}

// Add counts messages (bytes in all, as the process wrote them) given up
// on because of err.
func (d *Drops) Add(messages, bytes int64, err error) {
	if d == nil || messages == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.messages += messages
	d.bytes += bytes
	d.err = err
}

// AddMessage counts one message given up on.
func (d *Drops) AddMessage(m *Message, err error) { d.Add(1, int64(rawSize(m)), err) }

// Report returns the totals so far, with the latest cause.
func (d *Drops) Report() LossReport {
	if d == nil {
		return LossReport{}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return LossReport{Messages: d.messages, Bytes: d.bytes, Err: d.err}
}

// DropString is the drop report as State.Error and the case's failure
// report show it; "" when nothing was dropped.
func (r LossReport) DropString() string {
	if r.Messages == 0 {
		return ""
	}
	return fmt.Sprintf("%d log messages (%d bytes) dropped: %v", r.Messages, r.Bytes, r.Err)
}

// AfterDropsError is State.Error with the drop report added.
func (r LossReport) AfterDropsError(err string) string {
	dropped := r.DropString()
	switch {
	case dropped == "":
		return err
	case err == "":
		return dropped
	}
	return err + "; " + dropped
}

// rawSize is the bytes the process wrote for m: its line and newline.
func rawSize(m *Message) int {
	if m.EndsLine() {
		return len(m.Line) + 1
	}
	return len(m.Line)
}
