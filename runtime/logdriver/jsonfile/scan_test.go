package jsonfile

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestScanBackward(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	long := func(n int) string { return strings.Repeat("x", n) }
	random := make([]string, 300)
	for i := range random {
		random[i] = long(rng.IntN(3 * blockSize))
	}
	tests := []struct {
		name     string
		lines    []string
		trailing string // an unfinished line after the last newline
	}{
		{"empty file", nil, ""},
		{"only an unfinished line", nil, "abc"},
		{"one line", []string{"a"}, ""},
		{"short lines", []string{"a", "bb", "", "ccc"}, ""},
		{"short lines and unfinished", []string{"a", "bb"}, "partial"},
		{"line exactly a block", []string{long(blockSize - 1), "z"}, ""},
		{"lines across blocks", []string{long(blockSize + 10), "mid", long(2*blockSize + 3)}, long(blockSize + 7)},
		{"random lengths", random, long(5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var data bytes.Buffer
			var offs []int64
			for _, l := range tt.lines {
				offs = append(offs, int64(data.Len()))
				data.WriteString(l + "\n")
			}
			data.WriteString(tt.trailing)
			r := bytes.NewReader(data.Bytes())
			i := len(tt.lines)
			err := scanBackward(r, int64(data.Len()), func(line []byte, off int64) (bool, error) {
				i--
				if i < 0 {
					t.Fatalf("extra line %.20q at %d", line, off)
				}
				if string(line) != tt.lines[i] || off != offs[i] {
					t.Fatalf("line %d: got %.20q at %d, want %.20q at %d", i, line, off, tt.lines[i], offs[i])
				}
				return true, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if i != 0 {
				t.Errorf("%d lines not visited", i)
			}
			wantEnd := int64(data.Len() - len(tt.trailing))
			if end, err := lastLineEnd(r, int64(data.Len())); err != nil || end != wantEnd {
				t.Errorf("lastLineEnd = %d, %v; want %d", end, err, wantEnd)
			}
		})
	}
}

// countingReaderAt counts the bytes read through it.
type countingReaderAt struct {
	r     *os.File
	total atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.total.Add(int64(n))
	return n, err
}

// The tail of a log costs the same whatever the log's size: finding the
// last 10 entries reads one block, from the end, of a 1 MB or a 20 MB log.
func TestTailReadsOnlyTheEnd(t *testing.T) {
	for _, size := range []int64{1 << 20, 20 << 20} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "big-json.log")
			makeLog(t, path, size)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, _ := f.Stat()
			c := &countingReaderAt{r: f}
			found := 0
			err = scanBackward(c, st.Size(), func(line []byte, off int64) (bool, error) {
				found++
				return found < 10, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if c.total.Load() > blockSize {
				t.Errorf("read %d bytes of a %d-byte log for 10 lines", c.total.Load(), st.Size())
			}
		})
	}
}

// makeLog writes a json-file log of about size bytes, alternating
// streams, one entry a millisecond.
func makeLog(t testing.TB, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var buf []byte
	written := int64(0)
	for i := 0; written < size; i++ {
		buf = buf[:0]
		for j := 0; j < 1000 && written+int64(len(buf)) < size; j++ {
			n := i*1000 + j
			e := Entry{Line: fmt.Appendf(nil, "entry %d of a large log, padded to look like real output", n),
				Stream: [2]string{"stdout", "stderr"}[n%2], Time: t0.Add(time.Duration(n) * time.Millisecond)}
			if buf, err = appendEntry(buf, e, nil); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.Write(buf); err != nil {
			t.Fatal(err)
		}
		written += int64(len(buf))
	}
}

func BenchmarkTail(b *testing.B) {
	for _, size := range []struct {
		name  string
		bytes int64
	}{{"1MB", 1 << 20}, {"100MB", 100 << 20}} {
		b.Run(size.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "big-json.log")
			makeLog(b, path, size.bytes)
			opts := ReadOptions{Tail: 10, Stdout: true, Stderr: true}
			b.ResetTimer()
			for b.Loop() {
				n := 0
				if err := Read(context.Background(), path, opts, func(Entry) error { n++; return nil }); err != nil {
					b.Fatal(err)
				}
				if n != 10 {
					b.Fatalf("got %d entries", n)
				}
			}
		})
	}
}

func BenchmarkWrite(b *testing.B) {
	w, err := NewWriter(filepath.Join(b.TempDir(), "c-json.log"), WriterOptions{MaxSize: 10 << 20, MaxFiles: 2})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	e := Entry{Line: []byte("a typical line of container output, about eighty bytes long......"), Stream: "stdout", Time: t0}
	b.SetBytes(int64(len(e.Line) + 1))
	for b.Loop() {
		if err := w.Write(e); err != nil {
			b.Fatal(err)
		}
	}
}
