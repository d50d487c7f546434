package jsonfile

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// compressedGB writes about 1 GB of entries (200-byte lines) with the
// writer: ten compressed rotated files of 100 MB and the current one.
func compressedGB(b *testing.B) (path string, last time.Time) {
	b.Helper()
	if testing.Short() {
		b.Skip("writes 1 GB")
	}
	path = filepath.Join(b.TempDir(), "c-json.log")
	w, err := NewWriter(path, WriterOptions{MaxSize: 100_000_000, MaxFiles: 11, Compress: true})
	if err != nil {
		b.Fatal(err)
	}
	pad := bytes.Repeat([]byte("abcdefghij"), 19)
	line := make([]byte, 0, 256)
	var size int64
	for i := 0; size < 1_050_000_000; i++ {
		line = append(append(strconv.AppendInt(line[:0], int64(i), 10), ' '), pad...)
		last = t0.Add(time.Duration(i) * time.Millisecond)
		if err := w.Write(Entry{Line: line, Stream: "stdout", Time: last}); err != nil {
			b.Fatal(err)
		}
		size += int64(len(line)) + 70
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	var gz int
	for i := 1; i < 11; i++ {
		if _, err := os.Stat(rotatedName(path, i) + gzSuffix); err == nil {
			gz++
		}
	}
	if gz != 10 {
		b.Fatalf("%d compressed files, want 10", gz)
	}
	return path, last
}

func benchRead(b *testing.B, path string, opts ReadOptions, want int) {
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		err := Read(context.Background(), path, opts, func(Entry) error {
			n++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if n != want {
			b.Fatalf("read %d entries, want %d", n, want)
		}
	}
}

// BenchmarkCompressed1GB reads a 1 GB rotated, compressed log, written
// once for both: logs(tail=10), whose target is 10 ms, and logs(since=...)
// for the last second, which skips the compressed files by their header
// time.
func BenchmarkCompressed1GB(b *testing.B) {
	path, last := compressedGB(b)
	b.Run("tail10", func(b *testing.B) {
		benchRead(b, path, ReadOptions{Tail: 10, Stdout: true, Stderr: true, MaxFiles: 11}, 10)
	})
	b.Run("since_last_second", func(b *testing.B) {
		since := last.Add(-time.Second + time.Millisecond)
		benchRead(b, path, ReadOptions{Tail: -1, Since: since, Stdout: true, Stderr: true, MaxFiles: 11}, 1000)
	})
}
