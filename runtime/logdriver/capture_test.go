package logdriver

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"berth/runtime/capped"
)

// A capture past its limit keeps the first and last bytes of each text,
// says exactly how much it left out, and the interleaved output is still
// the messages in the order they came, on both sides of the cut.
func TestCaptureCapped(t *testing.T) {
	limit := capped.Limit{Head: 1000, Tail: 300}
	const note = "logs() has all of it"
	c := NewCapture(limit, note)
	sink := c.Sink()
	var all, out, errs strings.Builder
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 4000 {
		m := Message{Line: []byte(fmt.Sprintf("out %d", i)), Stream: "stdout"}
		if rng.IntN(3) == 0 {
			m = Message{Line: []byte(fmt.Sprintf("err %d", i)), Stream: "stderr"}
		}
		if rng.IntN(10) == 0 {
			m.Partial = &PartialMeta{Ordinal: 1} // no newline after it
		}
		if err := sink(&m); err != nil {
			t.Fatal(err)
		}
		raw := string(m.Line)
		if m.EndsLine() {
			raw += "\n"
		}
		all.WriteString(raw)
		map[string]*strings.Builder{"stdout": &out, "stderr": &errs}[m.Stream].WriteString(raw)
	}
	c.Seal()

	for _, tt := range []struct {
		name, got, whole string
	}{
		{"output", c.Output(), all.String()},
		{"stdout", c.Stdout(), out.String()},
		{"stderr", c.Stderr(), errs.String()},
	} {
		if want := capped.Cut(tt.whole, limit, note); tt.got != want {
			t.Errorf("%s =\n%q\nwant\n%q", tt.name, tt.got, want)
		}
		if !strings.HasPrefix(tt.got, tt.whole[:limit.Head]) || !strings.HasSuffix(tt.got, tt.whole[len(tt.whole)-limit.Tail:]) {
			t.Errorf("%s does not start with the first %d bytes and end with the last %d", tt.name, limit.Head, limit.Tail)
		}
	}
	dropOut, dropStdout, dropStderr := c.Dropped()
	for _, d := range []struct {
		name    string
		got     int64
		written int
	}{{"output", dropOut, all.Len()}, {"stdout", dropStdout, out.Len()}, {"stderr", dropStderr, errs.Len()}} {
		if want := int64(d.written - limit.Head - limit.Tail); d.got != want {
			t.Errorf("%s dropped %d bytes, want %d", d.name, d.got, want)
		}
	}
	marker := regexp.MustCompile(`… \[cut: (\d+) bytes, showing the first 1000 bytes and the last 300 bytes; (\d+) bytes left out here; logs\(\) has all of it\] …\n`)
	m := marker.FindStringSubmatch(c.Output())
	if m == nil {
		t.Fatalf("output has no cut marker:\n%s", c.Output())
	}
	if got, want := m[1]+" "+m[2], fmt.Sprintf("%d %d", all.Len(), dropOut); got != want {
		t.Errorf("marker says total, dropped = %s, want %s", got, want)
	}
}

// After Seal the texts are final: a late message is refused, not lost
// silently.
func TestCaptureSealed(t *testing.T) {
	c := NewCapture(capped.Value, "")
	sink := c.Sink()
	if err := sink(&Message{Line: []byte("a"), Stream: "stdout"}); err != nil {
		t.Fatal(err)
	}
	c.Seal()
	if err := sink(&Message{Line: []byte("b"), Stream: "stdout"}); err == nil {
		t.Error("a message after Seal: want an error")
	}
	if got := c.Stdout(); got != "a\n" {
		t.Errorf("Stdout = %q, want %q", got, "a\n")
	}
}

// A copier makes no garbage per line: a container printing millions of
// lines must not grow berth's heap by what it prints (the GC lets the
// heap reach twice what is live before collecting).
func TestCopierAllocationsPerStream(t *testing.T) {
	data := strings.Repeat("a line of output\n", 10000)
	c := NewCapture(capped.Limit{Head: 1000, Tail: 100}, "")
	sink := c.Sink()
	allocs := testing.AllocsPerRun(5, func() {
		NewCopier("stdout", strings.NewReader(data), sink).Wait()
	})
	if allocs > 100 {
		t.Errorf("copying 10000 lines into a capture made %.0f allocations, want a few per stream", allocs)
	}
}
