package jsonfile

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"berth/runtime/internal/tinyfs"
)

// On a disk that fills up, a write that stores part of an entry leaves
// nothing of it behind: the file stays readable to its end, and entries
// written once space returns follow the last whole one.
func TestWriterOnAFullDisk(t *testing.T) {
	tests := []struct {
		name string
		opts WriterOptions
		free int64 // space left for the log
	}{
		{"one file", WriterOptions{}, 16 << 10},
		// Rotating from a file with a torn entry would keep it in .1.
		{"rotated", WriterOptions{MaxSize: 6000, MaxFiles: 2}, 8 << 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tinyfs.Mount(t, 1<<20)
			free := tinyfs.Fill(t, dir, tt.free)
			path := filepath.Join(dir, "c-json.log")
			w, err := NewWriter(path, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			entry := func(i int) Entry {
				// ~1000 bytes, so that entries straddle page boundaries.
				return Entry{Line: fmt.Appendf(nil, "%04d %s", i, strings.Repeat("x", 1000)), Stream: "stdout", Time: t0}
			}
			var written []string
			failed := 0
			for i := range 40 {
				err := w.Write(entry(i))
				switch {
				case err == nil:
					written = append(written, string(entry(i).Line))
				case errors.Is(err, syscall.ENOSPC):
					failed++
				default:
					t.Fatalf("write %d: %v, want ENOSPC or nothing", i, err)
				}
			}
			if failed == 0 {
				t.Fatal("the disk never filled up")
			}
			free()
			for i := 40; i < 45; i++ {
				if err := w.Write(entry(i)); err != nil {
					t.Fatalf("write %d after space returned: %v", i, err)
				}
				written = append(written, string(entry(i).Line))
			}
			// fileLines fails the test on an entry it cannot parse.
			var got []string
			for _, suffix := range []string{".1", ""} {
				got = append(got, fileLines(t, path+suffix)...)
			}
			if tt.opts.MaxSize > 0 {
				written = written[len(written)-len(got):] // older files were dropped
			}
			if strings.Join(got, "|") != strings.Join(written, "|") {
				t.Errorf("the log holds %d entries, want the %d written ones in order", len(got), len(written))
			}
		})
	}
}

// Add and Flush on a disk that fills up: Flush says exactly which entries
// reached the file (the first n of those added), a torn one is cut back,
// and once space returns the batches are written whole again.
func TestAddFlushOnAFullDisk(t *testing.T) {
	tests := []struct {
		name string
		opts WriterOptions
		free int64
	}{
		{"one file", WriterOptions{}, 16 << 10},
		{"rotated", WriterOptions{MaxSize: 6000, MaxFiles: 2}, 8 << 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tinyfs.Mount(t, 1<<20)
			free := tinyfs.Fill(t, dir, tt.free)
			path := filepath.Join(dir, "c-json.log")
			w, err := NewWriter(path, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			entry := func(i int) Entry {
				return Entry{Line: fmt.Appendf(nil, "%04d %s", i, strings.Repeat("x", 1000)), Stream: "stdout", Time: t0}
			}
			var written []string
			lost := 0
			batch := func(from, to int) {
				t.Helper()
				for i := from; i < to; i++ {
					if err := w.Add(entry(i)); err != nil {
						t.Fatalf("add %d: %v", i, err)
					}
				}
				n, err := w.Flush()
				if n < to-from && !errors.Is(err, syscall.ENOSPC) {
					t.Fatalf("flush of %d..%d: %d written, %v; want ENOSPC for the rest", from, to, n, err)
				}
				if n == to-from && err != nil {
					t.Fatalf("flush of %d..%d: all written, yet %v", from, to, err)
				}
				for i := from; i < from+n; i++ {
					written = append(written, string(entry(i).Line))
				}
				lost += to - from - n
			}
			for i := 0; i < 40; i += 5 {
				batch(i, i+5)
			}
			if lost == 0 {
				t.Fatal("the disk never filled up")
			}
			free()
			batch(40, 45)
			if lost > 35 {
				t.Fatalf("%d of 40 lost: the space held less than expected", lost)
			}
			var got []string
			for _, suffix := range []string{".1", ""} {
				got = append(got, fileLines(t, path+suffix)...)
			}
			if tt.opts.MaxSize > 0 {
				written = written[len(written)-len(got):]
			}
			if strings.Join(got, "|") != strings.Join(written, "|") {
				t.Errorf("the log holds %d entries, want the %d reported written, in order", len(got), len(written))
			}
		})
	}
}
