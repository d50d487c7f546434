package logdriver

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
)

// scriptedSink fails the calls whose numbers (from 1, markers included)
// are in fails, with their error, and every call with always, and records
// what it takes as "stream:text" ("~" after a piece that does not end its
// line).
type scriptedSink struct {
	fails  map[int]error
	always error
	calls  int
	got    []string
}

func (s *scriptedSink) log(m *Message) error {
	s.calls++
	if err := cmp.Or(s.always, s.fails[s.calls]); err != nil {
		return fmt.Errorf("write log: %w", &os.PathError{Op: "write", Path: "/host/x-json.log", Err: err})
	}
	entry := m.Stream + ":" + string(m.Line)
	if !m.EndsLine() {
		entry += "~"
	}
	s.got = append(s.got, entry)
	return nil
}

// failing returns fails for the calls from..to with err.
func failing(err error, from, to int) map[int]error {
	m := map[int]error{}
	for i := from; i <= to; i++ {
		m[i] = err
	}
	return m
}

func msg(stream, text string) Message { return Message{Line: []byte(text), Stream: stream} }

func TestLossGuard(t *testing.T) {
	enospc, eio := syscall.ENOSPC, syscall.EIO
	out := func(text string) Message { return msg("stdout", text) }
	tests := []struct {
		name      string
		msgs      []Message
		fails     map[int]error
		flush     bool
		want      []string
		wantLost  int64
		wantBytes int64
		wantErr   error
		notified  int // holes started
	}{
		{name: "no failure", msgs: []Message{out("a"), out("b")}, want: []string{"stdout:a", "stdout:b"}},
		{name: "disk full to the end", msgs: []Message{out("a"), out("bb"), out("ccc")}, fails: failing(enospc, 2, 99),
			want: []string{"stdout:a"}, wantLost: 2, wantBytes: 3 + 4, wantErr: enospc, notified: 1},
		{name: "space returns: a marker first", msgs: []Message{out("a"), out("bb"), out("ccc"), out("d")}, fails: failing(enospc, 2, 3),
			want:     []string{"stdout:a", "stdout:[berth: 2 messages (7 bytes) lost: no space left on device]", "stdout:d"},
			wantLost: 2, wantBytes: 7, wantErr: enospc, notified: 1},
		{name: "I/O error then recovery", msgs: []Message{out("a"), out("b"), out("c")}, fails: failing(eio, 1, 1),
			want:     []string{"stdout:[berth: 1 messages (2 bytes) lost: input/output error]", "stdout:b", "stdout:c"},
			wantLost: 1, wantBytes: 2, wantErr: eio, notified: 1},
		// Call 3 is the marker: it fails too, so "c" joins the same hole.
		{name: "the marker fails as well", msgs: []Message{out("a"), out("b"), out("c"), out("d")}, fails: failing(enospc, 2, 3),
			want:     []string{"stdout:a", "stdout:[berth: 2 messages (4 bytes) lost: no space left on device]", "stdout:d"},
			wantLost: 2, wantBytes: 4, wantErr: enospc, notified: 1},
		{name: "two holes, two markers", msgs: []Message{out("a"), out("b"), out("c"), out("d")}, fails: map[int]error{1: enospc, 4: eio},
			want: []string{"stdout:[berth: 1 messages (2 bytes) lost: no space left on device]", "stdout:b",
				"stdout:[berth: 1 messages (2 bytes) lost: input/output error]", "stdout:d"},
			wantLost: 2, wantBytes: 4, wantErr: eio, notified: 2},
		{name: "each stream marks its own hole", msgs: []Message{out("a"), msg("stderr", "e1"), out("b"), msg("stderr", "e2")}, fails: failing(enospc, 1, 1),
			want:     []string{"stderr:e1", "stdout:[berth: 1 messages (2 bytes) lost: no space left on device]", "stdout:b", "stderr:e2"},
			wantLost: 1, wantBytes: 2, wantErr: enospc, notified: 1},
		{name: "a hole in the middle of a line", msgs: []Message{
			{Line: []byte("p1"), Stream: "stdout", Partial: &PartialMeta{Ordinal: 1}},
			{Line: []byte("p2"), Stream: "stdout", Partial: &PartialMeta{Ordinal: 2}},
			{Line: []byte("p3"), Stream: "stdout", Partial: &PartialMeta{Ordinal: 3, Last: true}}},
			fails:    failing(enospc, 2, 2),
			want:     []string{"stdout:p1~", "stdout:\n[berth: 1 messages (2 bytes) lost: no space left on device]", "stdout:p3"},
			wantLost: 1, wantBytes: 2, wantErr: enospc, notified: 1},
		{name: "flush marks the hole at the end", msgs: []Message{out("a"), out("b")}, fails: failing(enospc, 2, 2), flush: true,
			want:     []string{"stdout:a", "stdout:[berth: 1 messages (2 bytes) lost: no space left on device]"},
			wantLost: 1, wantBytes: 2, wantErr: enospc, notified: 1},
	}
	// Batched, each message is a batch of its own (after its marker, if
	// any): the outcome must be the one of the driver taking it at once.
	for _, batched := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/batched=%v", tt.name, batched), func(t *testing.T) {
				sink := &scriptedSink{fails: tt.fails}
				var reports []LossReport
				g := NewLossGuard(func(r LossReport) { reports = append(reports, r) })
				if batched {
					g.AttachDriver(&batchSink{s: sink})
				} else {
					g.Attach(sink.log)
				}
				for i := range tt.msgs {
					if err := g.Log(&tt.msgs[i]); err != nil {
						t.Fatalf("Log: %v, want nil: the guard counts what the driver refuses", err)
					}
					g.EndBatch()
				}
				if tt.flush {
					if err := g.Flush(); err != nil {
						t.Fatal(err)
					}
				}
				if got := strings.Join(sink.got, " | "); got != strings.Join(tt.want, " | ") {
					t.Errorf("driver got\n  %s\nwant\n  %s", got, strings.Join(tt.want, " | "))
				}
				r := g.Report()
				if r.Messages != tt.wantLost || r.Bytes != tt.wantBytes || !errors.Is(r.Err, tt.wantErr) {
					t.Errorf("report %d messages, %d bytes, %v; want %d, %d, %v", r.Messages, r.Bytes, r.Err, tt.wantLost, tt.wantBytes, tt.wantErr)
				}
				if tt.wantErr != nil && !strings.Contains(r.String(), tt.wantErr.Error()) {
					t.Errorf("report %q does not name %q", r.String(), tt.wantErr.Error())
				}
				if len(reports) != tt.notified {
					t.Errorf("notified %d times, want %d", len(reports), tt.notified)
				}
				if len(reports) > 0 && (reports[0].Messages != 1 || reports[0].Err == nil) {
					t.Errorf("first notification %+v, want the first lost message and its error", reports[0])
				}
			})
		}
	}
}

// batchSink is a Batcher over a scriptedSink: it holds what Add takes and
// hands it over at FlushAdded, stopping at the first failure (the rest of
// the batch is lost), as the json-file writer's single write does.
type batchSink struct {
	s    *scriptedSink
	held []Message
}

func (b *batchSink) Name() string         { return "batch" }
func (b *batchSink) Log(m *Message) error { return b.s.log(m) }
func (b *batchSink) Close() error         { return nil }
func (b *batchSink) Add(m *Message) error {
	c := *m
	c.Line = append([]byte(nil), m.Line...)
	b.held = append(b.held, c)
	return nil
}

func (b *batchSink) FlushAdded() (int, error) {
	defer func() { b.held = b.held[:0] }()
	for i := range b.held {
		if err := b.s.log(&b.held[i]); err != nil {
			return i, err
		}
	}
	return len(b.held), nil
}

// A batch that loses messages in its middle: those before are delivered,
// the rest counted in one hole, marked before the next message; a lost
// marker opens its hole again, so the next marker counts its messages too.
func TestLossGuardBatches(t *testing.T) {
	sink := &scriptedSink{fails: map[int]error{2: syscall.ENOSPC, 4: syscall.ENOSPC}}
	var reports []LossReport
	g := NewLossGuard(func(r LossReport) { reports = append(reports, r) })
	g.AttachDriver(&batchSink{s: sink})
	log := func(texts ...string) {
		for _, text := range texts {
			m := msg("stdout", text)
			g.Log(&m)
		}
		g.EndBatch()
	}
	log("a", "bb", "ccc", "d") // call 2 fails: bb, ccc, d lost (9 bytes)
	if r := g.Report(); r.Messages != 3 || r.Bytes != 9 || len(reports) != 1 {
		t.Fatalf("after the first batch: %+v, %d notifications; want 3 messages, 9 bytes, 1", r, len(reports))
	}
	log("e")      // call 3: the marker, delivered; call 4: e fails
	log("f", "g") // call 5: marker of e's hole, then f and g
	want := "stdout:a | stdout:[berth: 3 messages (9 bytes) lost: no space left on device] | " +
		"stdout:[berth: 1 messages (2 bytes) lost: no space left on device] | stdout:f | stdout:g"
	if got := strings.Join(sink.got, " | "); got != want {
		t.Errorf("driver got\n  %s\nwant\n  %s", got, want)
	}
	if r := g.Report(); r.Messages != 4 || r.Bytes != 11 || len(reports) != 2 {
		t.Errorf("report %+v, %d notifications; want 4 messages, 11 bytes, 2", r, len(reports))
	}

	// The marker itself lost: its hole is open again and the next marker
	// counts its messages and the new ones.
	sink2 := &scriptedSink{fails: map[int]error{1: syscall.EIO, 2: syscall.EIO}}
	g2 := NewLossGuard(nil)
	g2.AttachDriver(&batchSink{s: sink2})
	a, b, c := msg("stdout", "a"), msg("stdout", "b"), msg("stdout", "c")
	g2.Log(&a)
	g2.EndBatch() // call 1 fails: a lost
	g2.Log(&b)
	g2.EndBatch() // call 2, the marker, fails: the marker and b lost
	g2.Log(&c)
	g2.EndBatch() // call 3, the marker of a and b, then c
	want = "stdout:[berth: 2 messages (4 bytes) lost: input/output error] | stdout:c"
	if got := strings.Join(sink2.got, " | "); got != want {
		t.Errorf("driver got %q, want %q", got, want)
	}
	if r := g2.Report(); r.Messages != 2 || r.Bytes != 4 {
		t.Errorf("report %+v, want 2 messages, 4 bytes", r)
	}
}

// A hole the driver still refuses at Flush stays counted and is marked by
// the next run's driver.
func TestLossGuardCarriesAnUnmarkedHole(t *testing.T) {
	for _, batched := range []bool{false, true} {
		g := NewLossGuard(nil)
		attach := func(s *scriptedSink) {
			if batched {
				g.AttachDriver(&batchSink{s: s})
			} else {
				g.Attach(s.log)
			}
		}
		attach(&scriptedSink{always: syscall.ENOSPC})
		a := msg("stdout", "a")
		g.Log(&a)
		g.EndBatch()
		if err := g.Flush(); !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("batched=%v: Flush: %v, want ENOSPC", batched, err)
		}
		g.Attach(nil)
		next := &scriptedSink{}
		attach(next)
		b := msg("stdout", "b")
		g.Log(&b)
		g.EndBatch()
		want := "stdout:[berth: 1 messages (2 bytes) lost: no space left on device] | stdout:b"
		if got := strings.Join(next.got, " | "); got != want {
			t.Errorf("batched=%v: next run's driver got %q, want %q", batched, got, want)
		}
		if r := g.Report(); r.Messages != 1 {
			t.Errorf("batched=%v: %d lost, want 1", batched, r.Messages)
		}
	}
}

// With a driver that refuses everything, the copier still reads the pipe
// to its end: a writer that fills the pipe many times over finishes, and
// every line is counted.
func TestCopierDrainsWhenTheDriverFails(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	g := NewLossGuard(nil)
	g.Attach((&scriptedSink{always: syscall.EIO}).log)
	cp := NewCopier("stdout", r, g.Log)
	const lines, size = 20000, 100 // 2 MB, 30 times a pipe's buffer
	line := strings.Repeat("x", size-1) + "\n"
	for range lines {
		if _, err := io.WriteString(w, line); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	if err := cp.Wait(); err != nil {
		t.Fatal(err)
	}
	if rep := g.Report(); rep.Messages != lines || rep.Bytes != lines*size {
		t.Errorf("counted %d messages, %d bytes; want %d, %d", rep.Messages, rep.Bytes, lines, lines*size)
	}
}
