package logdriver

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"berth/runtime/capped"
)

// chunkReader returns its chunks one Read at a time, then err (io.EOF if
// nil).
type chunkReader struct {
	chunks []string
	err    error
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.chunks) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		return 0, io.EOF
	}
	n := copy(p, r.chunks[0])
	r.chunks[0] = r.chunks[0][n:]
	if r.chunks[0] == "" {
		r.chunks = r.chunks[1:]
	}
	return n, nil
}

// recorder is a sink keeping copies of what it is given.
type recorder struct {
	mu   sync.Mutex
	msgs []Message
}

func (r *recorder) sink(m *Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := *m
	c.Line = append([]byte(nil), m.Line...)
	if m.Partial != nil {
		p := *m.Partial
		c.Partial = &p
	}
	r.msgs = append(r.msgs, c)
	return nil
}

// describe renders messages as "text" for complete lines and
// "text~N" / "text~N$" for the Nth piece of a split line ($: the last).
// Long runs of x are written xN.
func describe(msgs []Message) string {
	var out []string
	for _, m := range msgs {
		s := string(m.Line)
		if len(s) > 8 && strings.Trim(s, "x") == "" {
			s = fmt.Sprintf("x%d", len(s))
		}
		if m.Partial != nil {
			s += fmt.Sprintf("~%d", m.Partial.Ordinal)
			if m.Partial.Last {
				s += "$"
			}
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestCopierSplitsLines(t *testing.T) {
	x := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name   string
		chunks []string
		want   string
	}{
		{"nothing", nil, ""},
		{"lines", []string{"a\nbb\n"}, "a bb"},
		{"empty lines", []string{"\n\n"}, " "},
		{"lines across reads", []string{"ab", "c\nd", "e\n"}, "abc de"},
		{"unterminated last write", []string{"a\nb"}, "a b~1"},
		{"line over 16K", []string{x(MaxLineSize+5) + "\nnext\n"}, "x16384~1 xxxxx~2$ next"},
		{"line of exactly 16K", []string{x(MaxLineSize) + "\n"}, "x16384~1 ~2$"},
		{"line over 32K in small reads", []string{x(10000), x(10000), x(20000), "\n"}, "x16384~1 x16384~2 x7232~3$"},
		{"long unterminated end", []string{x(20000)}, "x16384~1 x3616~2"},
		{"16K split after a short line", []string{"a\n" + x(MaxLineSize) + "\n"}, "a x16384~1 ~2$"},
		// A read takes up to 64 KiB: long lines within one read are cut
		// into 16K pieces all the same.
		{"long lines in one read", []string{x(40000) + "\n" + x(20000) + "\nz\n"}, "x16384~1 x16384~2 x7232~3$ x16384~1 x3616~2$ z"},
		{"long unterminated end in one read", []string{"a\n" + x(40000)}, "a x16384~1 x16384~2 x7232~3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			c := NewCopier("stdout", &chunkReader{chunks: append([]string(nil), tt.chunks...)}, rec.sink)
			if err := c.Wait(); err != nil {
				t.Fatal(err)
			}
			if got := describe(rec.msgs); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			for _, m := range rec.msgs {
				if m.Stream != "stdout" || m.Time.IsZero() || m.Time.Location().String() != "UTC" {
					t.Errorf("message %q: stream %q, time %v", m.Line, m.Stream, m.Time)
				}
			}
		})
	}
}

func TestCopierPartialIDs(t *testing.T) {
	long := strings.Repeat("y", MaxLineSize+1)
	var rec recorder
	c := NewCopier("stderr", strings.NewReader(long+"\n"+long+"\n"), rec.sink)
	if err := c.Wait(); err != nil {
		t.Fatal(err)
	}
	if len(rec.msgs) != 4 {
		t.Fatalf("got %d messages: %s", len(rec.msgs), describe(rec.msgs))
	}
	hex64 := regexp.MustCompile(`^[0-9a-f]{64}$`)
	first, second := rec.msgs[:2], rec.msgs[2:]
	for _, line := range [][]Message{first, second} {
		if !hex64.MatchString(line[0].Partial.ID) || line[0].Partial.ID != line[1].Partial.ID {
			t.Errorf("pieces of one line have IDs %q and %q", line[0].Partial.ID, line[1].Partial.ID)
		}
		if !line[0].Time.Equal(line[1].Time) {
			t.Errorf("pieces of one line have times %v and %v, want the first's", line[0].Time, line[1].Time)
		}
	}
	if first[0].Partial.ID == second[0].Partial.ID {
		t.Error("two split lines share an ID")
	}
}

func TestCopierErrors(t *testing.T) {
	failing := errors.New("disk full")
	readErr := errors.New("pipe broke")
	var rec recorder
	calls := 0
	failSink := func(*Message) error { calls++; return fmt.Errorf("write %d: %w", calls, failing) }
	c := NewCopier("stdout", &chunkReader{chunks: []string{"a\nb\nhalf"}, err: readErr}, failSink, rec.sink)
	err := c.Wait()
	if !errors.Is(err, failing) || !errors.Is(err, readErr) {
		t.Fatalf("Wait: %v, want the sink's and the read error", err)
	}
	if !strings.Contains(err.Error(), "write 1:") || strings.Contains(err.Error(), "write 2:") {
		t.Errorf("Wait: %v, want only the first sink error", err)
	}
	// A failing sink stops neither the copy nor the other sinks, and what
	// was read before the error is delivered.
	if got := describe(rec.msgs); got != "a b half~1" {
		t.Errorf("other sink got %q", got)
	}
}

func TestCaptureInterleaves(t *testing.T) {
	c := NewCapture(capped.Value, "")
	sink := c.Sink()
	for _, m := range []Message{
		{Line: []byte("out1"), Stream: "stdout"},
		{Line: []byte("err1"), Stream: "stderr"},
		{Line: []byte("piece"), Stream: "stdout", Partial: &PartialMeta{Ordinal: 1}},
		{Line: []byte("end"), Stream: "stdout", Partial: &PartialMeta{Ordinal: 2, Last: true}},
		{Line: []byte("tail"), Stream: "stderr", Partial: &PartialMeta{Ordinal: 1}},
	} {
		if err := sink(&m); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := c.Output(), "out1\nerr1\npieceend\ntail"; got != want {
		t.Errorf("Output %q, want %q", got, want)
	}
	if got, want := c.Stdout(), "out1\npieceend\n"; got != want {
		t.Errorf("Stdout %q, want %q", got, want)
	}
	if got, want := c.Stderr(), "err1\ntail"; got != want {
		t.Errorf("Stderr %q, want %q", got, want)
	}
}

// Two copiers writing into one capture, as a foreground run does: each
// stream comes out whole and in order, and the interleaved output holds
// every line of both.
func TestCaptureWithTwoCopiers(t *testing.T) {
	var out, errs strings.Builder
	for i := range 500 {
		fmt.Fprintf(&out, "out %d\n", i)
		fmt.Fprintf(&errs, "err %d\n", i)
	}
	c := NewCapture(capped.Value, "")
	a := NewCopier("stdout", &chunkReader{chunks: strings.SplitAfter(out.String(), "\n")}, c.Sink())
	b := NewCopier("stderr", &chunkReader{chunks: strings.SplitAfter(errs.String(), "\n")}, c.Sink())
	if err := errors.Join(a.Wait(), b.Wait()); err != nil {
		t.Fatal(err)
	}
	if c.Stdout() != out.String() || c.Stderr() != errs.String() {
		t.Fatal("a stream lost or reordered lines")
	}
	var gotOut, gotErr strings.Builder
	for _, line := range strings.SplitAfter(c.Output(), "\n") {
		switch {
		case strings.HasPrefix(line, "out"):
			gotOut.WriteString(line)
		case strings.HasPrefix(line, "err"):
			gotErr.WriteString(line)
		case line != "":
			t.Fatalf("mangled line %q", line)
		}
	}
	if gotOut.String() != out.String() || gotErr.String() != errs.String() {
		t.Error("interleaved output lost or reordered lines")
	}
}

// Lines that arrive in one read get strictly increasing times, so that
// since and until tell each line from the next (Docker reads the clock
// per line; berth once per read, then adds a nanosecond per line).
func TestCopierTimesIncrease(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var times []time.Time
	cp := NewCopier("stdout", r, func(m *Message) error {
		times = append(times, m.Time)
		return nil
	})
	if _, err := io.WriteString(w, strings.Repeat("line\n", 500)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := cp.Wait(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if len(times) != 500 {
		t.Fatalf("%d lines, want 500", len(times))
	}
	for i := 1; i < len(times); i++ {
		if !times[i].After(times[i-1]) {
			t.Fatalf("line %d at %v, not after line %d at %v", i, times[i], i-1, times[i-1])
		}
	}
}
