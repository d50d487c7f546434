package logdriver

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// gateDriver blocks every Log until its gate is opened (a stalled
// receiver), and records what it got; Close opens the gate, as closing a
// connection unblocks a writer. failing makes Log refuse.
type gateDriver struct {
	gate    chan struct{}
	once    sync.Once
	failing bool
	closed  atomic.Bool

	mu  sync.Mutex
	got []string
}

func newGateDriver() *gateDriver { return &gateDriver{gate: make(chan struct{})} }

func (d *gateDriver) Name() string { return "gate" }
func (d *gateDriver) open()        { d.once.Do(func() { close(d.gate) }) }

func (d *gateDriver) Log(m *Message) error {
	<-d.gate
	if d.closed.Load() {
		return errors.New("connection closed")
	}
	if d.failing {
		return errors.New("receiver refused")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.got = append(d.got, string(m.Line))
	return nil
}

func (d *gateDriver) Close() error { d.closed.Store(true); d.open(); return nil }

func (d *gateDriver) delivered() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.got...)
}

func logLines(t *testing.T, d Driver, n int) {
	t.Helper()
	for i := range n {
		m := Message{Line: fmt.Appendf(nil, "line %03d", i), Stream: "stdout", Time: time.Now()}
		if err := d.Log(&m); err != nil {
			t.Fatalf("Log: %v", err)
		}
	}
}

func TestNonBlocking(t *testing.T) {
	tests := []struct {
		name string
		// stall: the receiver never takes a message until Close.
		stall, failing bool
		flush          time.Duration
		maxBytes       int64
		lines          int
		wantDelivered  int // -1: any
		wantDropped    int64
		wantCloseErr   string
	}{
		// 8-byte lines, a 40-byte buffer: the first line goes to the
		// stalled driver's Log (or waits in the buffer), five fit, the
		// rest are dropped; Close gives up after the flush bound and
		// counts every line not delivered.
		{name: "stalled receiver: drops counted, close bounded", stall: true, flush: 50 * time.Millisecond,
			maxBytes: 40, lines: 100, wantDelivered: 0, wantDropped: 100, wantCloseErr: "not delivered within 50ms"},
		{name: "receiver keeps up: nothing dropped", maxBytes: 1 << 20, lines: 1000, wantDelivered: 1000, wantDropped: 0},
		{name: "receiver refuses: every refusal counted", failing: true, maxBytes: 1 << 20, lines: 10, wantDelivered: 0, wantDropped: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newGateDriver()
			d.failing = tt.failing
			if !tt.stall {
				d.open()
			}
			drops := &Drops{}
			nb := NonBlocking(d, NonBlockingOptions{MaxBytes: tt.maxBytes, FlushTimeout: tt.flush, Drops: drops})
			start := time.Now()
			logLines(t, nb, tt.lines)
			if tt.stall && time.Since(start) > 2*time.Second {
				t.Errorf("Log blocked on a stalled receiver for %v", time.Since(start))
			}
			err := nb.Close()
			switch {
			case tt.wantCloseErr == "" && err != nil:
				t.Errorf("Close: %v", err)
			case tt.wantCloseErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantCloseErr)):
				t.Errorf("Close: %v, want an error containing %q", err, tt.wantCloseErr)
			}
			got := d.delivered()
			if tt.wantDelivered >= 0 && len(got) != tt.wantDelivered {
				t.Errorf("delivered %d lines, want %d", len(got), tt.wantDelivered)
			}
			r := drops.Report()
			if r.Messages != tt.wantDropped {
				t.Errorf("dropped %d, want %d (%v)", r.Messages, tt.wantDropped, r.Err)
			}
			if int(r.Messages)+len(got) != tt.lines {
				t.Errorf("delivered %d + dropped %d != logged %d: a message went unaccounted", len(got), r.Messages, tt.lines)
			}
			if r.Messages > 0 && r.Bytes != r.Messages*9 {
				t.Errorf("dropped bytes %d, want 9 per line", r.Bytes)
			}
			for i, line := range got {
				if want := fmt.Sprintf("line %03d", i); line != want {
					t.Fatalf("delivered[%d] = %q, want %q (order kept)", i, line, want)
				}
			}
		})
	}
}

// TestNonBlockingBufferFull: with the receiver stalled, exactly what fits
// in the buffer is kept, and once the receiver resumes it is delivered;
// the rest is counted as dropped because the buffer was full.
func TestNonBlockingBufferFull(t *testing.T) {
	d := newGateDriver()
	drops := &Drops{}
	nb := NonBlocking(d, NonBlockingOptions{MaxBytes: 40, FlushTimeout: 10 * time.Second, Drops: drops})
	logLines(t, nb, 1)
	// Wait until run has taken the first line (and blocks in Log).
	for deadline := time.Now().Add(5 * time.Second); ; {
		nb.(*nonBlocking).mu.Lock()
		taken := len(nb.(*nonBlocking).batch.list) == 1
		nb.(*nonBlocking).mu.Unlock()
		if taken {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first line was never handed to the driver")
		}
		time.Sleep(time.Millisecond)
	}
	logLines(t, nb, 20) // 5 of 8 bytes fit in 40
	d.open()
	if err := nb.Close(); err != nil {
		t.Fatal(err)
	}
	if got := len(d.delivered()); got != 6 {
		t.Errorf("delivered %d, want 6", got)
	}
	if r := drops.Report(); r.Messages != 15 || !errors.Is(r.Err, ErrBufferFull) {
		t.Errorf("drops %+v, want 15 for a full buffer", r)
	}
}

// BenchmarkNonBlockingLog is the container's side of mode=non-blocking:
// what one Log costs the copier, with a receiver that keeps up and with
// one that has stalled (the buffer fills, then every message is counted
// as dropped).
func BenchmarkNonBlockingLog(b *testing.B) {
	for _, stalled := range []bool{false, true} {
		b.Run(fmt.Sprintf("stalled=%v", stalled), func(b *testing.B) {
			d := newGateDriver()
			if !stalled {
				d.open()
			}
			nb := NonBlocking(d, NonBlockingOptions{FlushTimeout: 10 * time.Millisecond, Drops: &Drops{}})
			m := Message{Line: []byte("a line of 80 bytes, as the throughput benchmark writes them: xxxxxxxxxxxxxxxxx"), Stream: "stdout", Time: time.Now()}
			b.ReportAllocs()
			for b.Loop() {
				nb.Log(&m)
			}
			b.StopTimer()
			nb.Close()
		})
	}
}

// A message comes out of the buffer as it went in: line, stream, time and
// the metadata of a split line; and what is dropped at Close is counted
// with the bytes the process wrote (no newline for a piece).
func TestNonBlockingKeepsMessages(t *testing.T) {
	rec := &recordingDriver{}
	nb := NonBlocking(rec, NonBlockingOptions{Drops: &Drops{}})
	t0 := time.Date(2026, 12, 2, 1, 2, 3, 456789, time.UTC)
	in := []Message{
		{Line: []byte("whole"), Stream: "stdout", Time: t0},
		{Line: []byte("piece"), Stream: "stderr", Time: t0.Add(time.Nanosecond), Partial: &PartialMeta{ID: "id", Ordinal: 1}},
		{Line: []byte("end"), Stream: "stderr", Time: t0.Add(2 * time.Nanosecond), Partial: &PartialMeta{ID: "id", Ordinal: 2, Last: true}},
	}
	for i := range in {
		if err := nb.Log(&in[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := nb.Close(); err != nil {
		t.Fatal(err)
	}
	if len(rec.msgs) != len(in) {
		t.Fatalf("delivered %d messages, want %d", len(rec.msgs), len(in))
	}
	for i, got := range rec.msgs {
		want := in[i]
		if string(got.Line) != string(want.Line) || got.Stream != want.Stream || !got.Time.Equal(want.Time) ||
			(got.Partial == nil) != (want.Partial == nil) || (got.Partial != nil && *got.Partial != *want.Partial) {
			t.Errorf("message %d: got %+v, want %+v", i, got, want)
		}
	}
	// A stalled receiver: a piece and a whole line left at Close count
	// 5 and 6 bytes.
	d := newGateDriver()
	drops := &Drops{}
	stalled := NonBlocking(d, NonBlockingOptions{FlushTimeout: 50 * time.Millisecond, Drops: drops})
	block := Message{Line: []byte("first"), Stream: "stdout", Time: t0}
	stalled.Log(&block) // the driver blocks on it
	piece := Message{Line: []byte("piece"), Stream: "stdout", Time: t0, Partial: &PartialMeta{ID: "x", Ordinal: 1}}
	whole := Message{Line: []byte("whole"), Stream: "stdout", Time: t0}
	stalled.Log(&piece)
	stalled.Log(&whole)
	stalled.Close()
	if r := drops.Report(); r.Messages != 3 || r.Bytes != 6+5+6 {
		t.Errorf("dropped %d messages, %d bytes; want 3 and 17", r.Messages, r.Bytes)
	}
}

// recordingDriver is a Driver keeping copies of what it is given.
type recordingDriver struct{ recorder }

func (d *recordingDriver) Name() string         { return "recording" }
func (d *recordingDriver) Close() error         { return nil }
func (d *recordingDriver) Log(m *Message) error { return d.sink(m) }
