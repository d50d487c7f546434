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
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &scriptedSink{fails: tt.fails}
			var reports []LossReport
			g := NewLossGuard(func(r LossReport) { reports = append(reports, r) })
			g.Attach(sink.log)
			for i := range tt.msgs {
				if err := g.Log(&tt.msgs[i]); err != nil {
					t.Fatalf("Log: %v, want nil: the guard counts what the driver refuses", err)
				}
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

// A hole the driver still refuses at Flush stays counted and is marked by
// the next run's driver.
func TestLossGuardCarriesAnUnmarkedHole(t *testing.T) {
	g := NewLossGuard(nil)
	full := &scriptedSink{always: syscall.ENOSPC}
	g.Attach(full.log)
	a := msg("stdout", "a")
	g.Log(&a)
	if err := g.Flush(); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Flush: %v, want ENOSPC", err)
	}
	g.Attach(nil)
	next := &scriptedSink{}
	g.Attach(next.log)
	b := msg("stdout", "b")
	g.Log(&b)
	want := "stdout:[berth: 1 messages (2 bytes) lost: no space left on device] | stdout:b"
	if got := strings.Join(next.got, " | "); got != want {
		t.Errorf("next run's driver got %q, want %q", got, want)
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
