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

// onAFullDisk runs fill for a log on a real tmpfs with little space left,
// as one file and rotated (rotating from a file with a torn entry would
// keep it in .1). It writes entries 0..39 with write, which says which of
// the entries it was given reached the file; then space returns, 40..44
// are written, and the log must hold exactly the entries reported
// written, in order, each one readable.
func onAFullDisk(t *testing.T, write func(t *testing.T, w *Writer, entries []Entry) (ok []bool)) {
	tests := []struct {
		name string
		opts WriterOptions
		free int64 // space left for the log
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
				// ~1000 bytes, so that entries straddle page boundaries.
				return Entry{Line: fmt.Appendf(nil, "%04d %s", i, strings.Repeat("x", 1000)), Stream: "stdout", Time: t0}
			}
			var written []string
			lost := 0
			run := func(from, to int) {
				t.Helper()
				var entries []Entry
				for i := from; i < to; i++ {
					entries = append(entries, entry(i))
				}
				for i, ok := range write(t, w, entries) {
					if ok {
						written = append(written, string(entries[i].Line))
					} else {
						lost++
					}
				}
			}
			run(0, 40)
			if lost == 0 {
				t.Fatal("the disk never filled up")
			}
			if lost > 35 {
				t.Fatalf("%d of 40 lost: the space held less than expected", lost)
			}
			free()
			before := lost
			run(40, 45)
			if lost != before {
				t.Fatalf("%d entries lost after space returned", lost-before)
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
				t.Errorf("the log holds %d entries, want the %d reported written, in order", len(got), len(written))
			}
		})
	}
}

// On a disk that fills up, a write that stores part of an entry leaves
// nothing of it behind: the file stays readable to its end, and entries
// written once space returns follow the last whole one.
func TestWriterOnAFullDisk(t *testing.T) {
	onAFullDisk(t, func(t *testing.T, w *Writer, entries []Entry) []bool {
		ok := make([]bool, len(entries))
		for i, e := range entries {
			switch err := w.Write(e); {
			case err == nil:
				ok[i] = true
			case !errors.Is(err, syscall.ENOSPC):
				t.Fatalf("write %.4s: %v, want ENOSPC or nothing", e.Line, err)
			}
		}
		return ok
	})
}

// Add and Flush on a disk that fills up: Flush says exactly which entries
// reached the file (the first n of those added), a torn one is cut back,
// and once space returns the batches are written whole again.
func TestAddFlushOnAFullDisk(t *testing.T) {
	onAFullDisk(t, func(t *testing.T, w *Writer, entries []Entry) []bool {
		ok := make([]bool, len(entries))
		for from := 0; from < len(entries); from += 5 {
			batch := entries[from:min(from+5, len(entries))]
			for _, e := range batch {
				if err := w.Add(e); err != nil {
					t.Fatalf("add %.4s: %v", e.Line, err)
				}
			}
			n, err := w.Flush()
			if n < len(batch) && !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("flush of %d entries: %d written, %v; want ENOSPC for the rest", len(batch), n, err)
			}
			if n == len(batch) && err != nil {
				t.Fatalf("flush of %d entries: all written, yet %v", len(batch), err)
			}
			for i := range n {
				ok[from+i] = true
			}
		}
		return ok
	})
}
