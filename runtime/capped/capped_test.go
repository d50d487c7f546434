package capped

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// text is n bytes of numbered lines, so that any cut shows where it is.
func text(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	return b.String()[:n]
}

// want is the text a buffer with limit must give for s.
func want(s string, limit Limit, note string) string {
	if len(s) <= limit.Head+limit.Tail {
		return s
	}
	head, tail := s[:limit.Head], s[len(s)-limit.Tail:]
	dropped := int64(len(s) - limit.Head - limit.Tail)
	return head + formatMarker(int64(len(s)), dropped, limit, note, !strings.HasSuffix(head, "\n")) + tail
}

func TestBuffer(t *testing.T) {
	small := Limit{Head: 100, Tail: 30}
	tests := []struct {
		name  string
		limit Limit
		size  int
		chunk int // bytes per write; 0: random sizes
		note  string
	}{
		{"empty", small, 0, 1, ""},
		{"under the head", small, 60, 7, ""},
		{"exactly the head", small, 100, 10, ""},
		{"into the tail, nothing cut", small, 130, 13, ""},
		{"one byte cut", small, 131, 1, ""},
		{"cut, byte by byte", small, 5000, 1, "logs() has all of it"},
		{"cut, random writes", small, 5000, 0, ""},
		{"cut, one write", small, 5000, 5000, ""},
		{"writes longer than the tail", small, 5000, 45, ""},
		{"no tail", Limit{Head: 50}, 500, 0, ""},
		{"no head", Limit{Tail: 50}, 500, 0, ""},
		{"report limit", Report, 1 << 20, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := text(tt.size)
			b := New(tt.limit, tt.note)
			rng := rand.New(rand.NewPCG(1, uint64(tt.size)))
			for rest := s; rest != ""; {
				n := tt.chunk
				if n == 0 {
					n = 1 + rng.IntN(2*tt.limit.Tail+10)
				}
				n = min(n, len(rest))
				if got, err := b.Write([]byte(rest[:n])); got != n || err != nil {
					t.Fatalf("Write(%d bytes) = %d, %v", n, got, err)
				}
				rest = rest[n:]
			}
			w := want(s, tt.limit, tt.note)
			if got := b.String(); got != w {
				t.Errorf("String() =\n%q\nwant\n%q", got, w)
			}
			if got := b.Seal(); got != w {
				t.Errorf("Seal() =\n%q\nwant\n%q", got, w)
			}
			if got := b.Seal(); got != w {
				t.Errorf("second Seal() = %q", got)
			}
			dropped := max(0, int64(tt.size-tt.limit.Head-tt.limit.Tail))
			if b.Len() != int64(tt.size) || b.Dropped() != dropped {
				t.Errorf("Len, Dropped = %d, %d; want %d, %d", b.Len(), b.Dropped(), tt.size, dropped)
			}
			if got := Cut(s, tt.limit, tt.note); got != w {
				t.Errorf("Cut() =\n%q\nwant\n%q", got, w)
			}
		})
	}
}

func TestMarker(t *testing.T) {
	s := strings.Repeat("x", 52428800)
	got := Cut(s, Report, "")
	mark := "\n… [cut: 52428800 bytes, showing the first 64 KiB and the last 4 KiB; 52359168 bytes left out here] …\n"
	if !strings.Contains(got, mark) {
		t.Errorf("cut text has no %q", mark)
	}
	if want := 64<<10 + len(mark) + 4<<10; len(got) != want {
		t.Errorf("cut text is %d bytes, want %d", len(got), want)
	}
	// A head ending a line does not get an empty line after it.
	got = Cut("a\nb\nc\nd\n", Limit{Head: 2, Tail: 2}, "logs() has all of it")
	if want := "a\n… [cut: 8 bytes, showing the first 2 bytes and the last 2 bytes; 4 bytes left out here; logs() has all of it] …\nd\n"; got != want {
		t.Errorf("Cut = %q, want %q", got, want)
	}
}

func TestWriteString(t *testing.T) {
	s := text(10000)
	b := New(Limit{Head: 300, Tail: 200}, "")
	for rest := s; rest != ""; {
		n := min(len(rest), 333)
		if got, err := b.WriteString(rest[:n]); got != n || err != nil {
			t.Fatalf("WriteString(%d bytes) = %d, %v", n, got, err)
		}
		rest = rest[n:]
	}
	if got, w := b.Seal(), want(s, Limit{Head: 300, Tail: 200}, ""); got != w {
		t.Errorf("Seal() = %q, want %q", got, w)
	}
}

func TestWriteAfterSeal(t *testing.T) {
	b := New(Report, "")
	b.WriteString("x")
	b.Seal()
	if _, err := b.Write([]byte("y")); err == nil {
		t.Error("Write after Seal: want an error")
	}
	if _, err := b.WriteString("y"); err == nil {
		t.Error("WriteString after Seal: want an error")
	}
	if got := b.String(); got != "x" {
		t.Errorf("String() = %q after a refused write, want %q", got, "x")
	}
}

// TestSealInPlace checks that a full head is not copied when the buffer
// is sealed: the text is held once.
func TestSealInPlace(t *testing.T) {
	limit := Limit{Head: 1 << 20, Tail: 64 << 10}
	b := New(limit, "logs() has all of it")
	chunk := []byte(text(4096))
	for range 1000 {
		b.Write(chunk)
	}
	before := b.head.Cap()
	got := b.Seal()
	if b.head.Cap() != before {
		t.Errorf("Seal grew the head from %d to %d bytes", before, b.head.Cap())
	}
	// The allocator rounds large sizes up to whole pages.
	if max := limit.Head + limit.Tail + b.markerRoom() + 8<<10; before > max {
		t.Errorf("head has room for %d bytes, want at most %d", before, max)
	}
	if int64(len(got)) >= b.Len() {
		t.Errorf("sealed text is %d bytes of %d written: nothing cut", len(got), b.Len())
	}
}
