// Package capped bounds text that berth holds but does not control: what
// a container prints (a foreground run's .output, .stdout and .stderr, an
// exec's output) and what a scenario hands the report (a fail() message,
// its print output). A Buffer keeps the first and the last bytes written
// and counts the rest; the text it gives back has a note where the bytes
// were left out, with the full size, so a cut is never silent.
//
// Every place that bounds such text goes through this package, with one
// of the two limits below.
package capped

import (
	"fmt"
	"math"
	"strings"
)

// Limit is how much of a text is kept: its first Head and last Tail bytes.
type Limit struct{ Head, Tail int }

// The limits. Value bounds output kept in a Starlark value (16 MiB per
// stream); Report bounds one block of a test report. Treat them as
// constants.
var (
	Value  = Limit{Head: 15 << 20, Tail: 1 << 20}
	Report = Limit{Head: 64 << 10, Tail: 4 << 10}
)

// Buffer keeps the first Head and the last Tail bytes written to it. It is
// not safe for concurrent use. The zero value is not usable: see New.
type Buffer struct {
	limit Limit
	note  string
	// head holds the first bytes; once it is full, its capacity is the
	// whole result, so Seal appends the note and the tail in place.
	head *strings.Builder
	// window holds the latest bytes after the head: its last limit.Tail
	// bytes are the tail. It grows to twice that before it is shifted.
	window []byte
	total  int64
	sealed bool
}

// New returns an empty buffer. note, when not empty, ends the cut marker
// and says where the whole text is (e.g. "logs() has all of it").
func New(limit Limit, note string) *Buffer {
	if limit.Head < 0 || limit.Tail < 0 {
		panic(fmt.Sprintf("capped: negative limit %+v", limit))
	}
	return &Buffer{limit: limit, note: note, head: new(strings.Builder)}
}

// Cut is s with at most the first limit.Head and last limit.Tail bytes,
// and a marker between them when some were left out.
func Cut(s string, limit Limit, note string) string {
	if len(s) <= limit.Head+limit.Tail {
		return s
	}
	b := New(limit, note)
	b.WriteString(s)
	return b.Seal()
}

// Write keeps what fits and counts the rest. It never fails, except after
// Seal.
func (b *Buffer) Write(p []byte) (int, error) {
	if b.sealed {
		return 0, fmt.Errorf("capped: write of %d bytes after Seal", len(p))
	}
	written := len(p)
	b.total += int64(written)
	if room := b.limit.Head - b.head.Len(); room > 0 {
		n := min(room, len(p))
		b.growHead(n)
		b.head.Write(p[:n])
		p = p[n:]
	}
	if len(p) > 0 && b.limit.Tail > 0 {
		b.keepTail(p)
	}
	return written, nil
}

// WriteString is Write for a string, without converting it first.
func (b *Buffer) WriteString(s string) (int, error) {
	if b.sealed {
		return 0, fmt.Errorf("capped: write of %d bytes after Seal", len(s))
	}
	written := len(s)
	b.total += int64(written)
	if room := b.limit.Head - b.head.Len(); room > 0 {
		n := min(room, len(s))
		b.growHead(n)
		b.head.WriteString(s[:n])
		s = s[n:]
	}
	if len(s) > 0 && b.limit.Tail > 0 {
		b.keepTail([]byte(s[max(0, len(s)-b.limit.Tail):]))
	}
	return written, nil
}

// growHead makes room for n more bytes in the head, doubling as usual but
// jumping to the size of the whole result once half the head is used, so
// a full head is never copied again.
func (b *Buffer) growHead(n int) {
	if b.head.Cap()-b.head.Len() >= n {
		return
	}
	want := max(2*b.head.Cap(), b.head.Len()+n, 512)
	if want >= b.limit.Head {
		want = b.limit.Head + b.limit.Tail + b.markerRoom()
	}
	b.realloc(want)
}

// realloc moves the head to storage of exactly capacity bytes (Builder's
// own growth would double, and overshoot the limit).
func (b *Buffer) realloc(capacity int) {
	grown := new(strings.Builder)
	grown.Grow(capacity) // exact on an empty builder
	grown.WriteString(b.head.String())
	b.head = grown
}

// keepTail appends p to the window, keeping its last limit.Tail bytes.
func (b *Buffer) keepTail(p []byte) {
	tail := b.limit.Tail
	if len(p) >= tail {
		p = p[len(p)-tail:]
		b.window = b.window[:0]
	}
	if len(b.window)+len(p) > 2*tail {
		keep := tail - len(p) // bytes of the window still in the tail
		b.window = b.window[:copy(b.window, b.window[len(b.window)-keep:])]
	}
	if b.window == nil {
		b.window = make([]byte, 0, 2*tail)
	}
	b.window = append(b.window, p...)
}

// Len is how many bytes were written in all.
func (b *Buffer) Len() int64 { return b.total }

// Dropped is how many of them the text leaves out: the head is filled
// first, and the tail keeps the last bytes of the rest.
func (b *Buffer) Dropped() int64 {
	return max(0, b.total-int64(b.limit.Head)-int64(b.limit.Tail))
}

func (b *Buffer) tail() []byte {
	return b.window[max(0, len(b.window)-b.limit.Tail):]
}

// String is the text so far: the head, the marker if bytes were dropped,
// and the tail. Before Seal it copies when anything is past the head.
func (b *Buffer) String() string {
	if b.sealed || (len(b.window) == 0 && b.Dropped() == 0) {
		return b.head.String()
	}
	return b.head.String() + b.marker() + string(b.tail())
}

// Seal ends the writing and returns the text. The head's storage becomes
// the result, so the text is not held twice; later calls return the same
// string.
func (b *Buffer) Seal() string {
	if !b.sealed && (len(b.window) > 0 || b.Dropped() > 0) {
		marker, tail := b.marker(), b.tail()
		if need := len(marker) + len(tail); b.head.Cap()-b.head.Len() < need {
			b.realloc(b.head.Len() + need)
		}
		b.head.WriteString(marker)
		b.head.Write(tail)
	}
	b.sealed, b.window = true, nil
	return b.head.String()
}

// marker says what was cut, or is empty when nothing was. It is on a line
// of its own.
func (b *Buffer) marker() string {
	dropped := b.Dropped()
	if dropped == 0 {
		return ""
	}
	return formatMarker(b.total, dropped, b.limit, b.note, !strings.HasSuffix(b.head.String(), "\n"))
}

// markerRoom is the longest marker this buffer can write.
func (b *Buffer) markerRoom() int {
	return len(formatMarker(math.MaxInt64, math.MaxInt64, b.limit, b.note, true))
}

func formatMarker(total, dropped int64, limit Limit, note string, newlineFirst bool) string {
	var s strings.Builder
	if newlineFirst {
		s.WriteByte('\n')
	}
	fmt.Fprintf(&s, "… [cut: %d bytes, showing the first %s and the last %s; %d bytes left out here",
		total, size(limit.Head), size(limit.Tail), dropped)
	if note != "" {
		s.WriteString("; " + note)
	}
	s.WriteString("] …\n")
	return s.String()
}

// size prints a byte count in the largest unit it is a whole number of.
func size(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
