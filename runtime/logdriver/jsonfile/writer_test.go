package jsonfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// entry i is "line i" on stdout, one second after t0 per i.
func numbered(i int) Entry {
	return Entry{Line: fmt.Appendf(nil, "line %d", i), Stream: "stdout", Time: t0.Add(time.Duration(i) * time.Second)}
}

// encodedLen is the size on disk of numbered(i) for one-digit i.
func encodedLen(t *testing.T) int64 {
	t.Helper()
	b, err := appendEntry(nil, numbered(0), nil)
	if err != nil {
		t.Fatal(err)
	}
	return int64(len(b))
}

// fileLines returns the "log" texts in a file, or nil if it is missing.
func fileLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.SplitAfter(string(data), "\n") {
		if l == "" {
			continue
		}
		e, err := parseEntry([]byte(strings.TrimSuffix(l, "\n")))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		lines = append(lines, string(e.Line))
	}
	return lines
}

func names(idx ...int) []string {
	var out []string
	for _, i := range idx {
		out = append(out, fmt.Sprintf("line %d", i))
	}
	return out
}

func TestWriterRotation(t *testing.T) {
	tests := []struct {
		name     string
		maxSize  func(entry int64) int64
		maxFiles int
		want     map[string][]string // file suffix -> lines
	}{
		{"no max-size keeps one file", func(int64) int64 { return 0 }, 3,
			map[string][]string{"": names(0, 1, 2, 3, 4, 5, 6)}},
		{"rotate once a write reaches max-size", func(e int64) int64 { return 2 * e }, 3,
			map[string][]string{"": names(6), ".1": names(4, 5), ".2": names(2, 3), ".3": nil}},
		{"just under two entries still holds two", func(e int64) int64 { return 2*e - 1 }, 3,
			map[string][]string{"": names(6), ".1": names(4, 5), ".2": names(2, 3)}},
		{"just over two entries holds three", func(e int64) int64 { return 2*e + 1 }, 3,
			map[string][]string{"": names(6), ".1": names(3, 4, 5), ".2": names(0, 1, 2)}},
		{"max-file 1 starts the file over", func(e int64) int64 { return 2 * e }, 1,
			map[string][]string{"": names(6), ".1": nil}},
		{"max-file 2", func(e int64) int64 { return 2 * e }, 2,
			map[string][]string{"": names(6), ".1": names(4, 5), ".2": nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c-json.log")
			w, err := NewWriter(path, WriterOptions{MaxSize: tt.maxSize(encodedLen(t)), MaxFiles: tt.maxFiles})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 7 {
				if err := w.Write(numbered(i)); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			for suffix, want := range tt.want {
				got := fileLines(t, path+suffix)
				if strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("%s: got %q, want %q", filepath.Base(path+suffix), got, want)
				}
			}
		})
	}
}

func TestWriterAppendsToExistingLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	opts := WriterOptions{MaxSize: 2 * encodedLen(t), MaxFiles: 2}
	w, err := NewWriter(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(numbered(0)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	// A restarted container appends, and counts what is already there.
	w, err = NewWriter(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		if err := w.Write(numbered(i)); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	if got := fileLines(t, path+".1"); strings.Join(got, "|") != "line 0|line 1" {
		t.Errorf(".1 holds %q, want lines 0 and 1", got)
	}
	if got := fileLines(t, path); strings.Join(got, "|") != "line 2" {
		t.Errorf("log holds %q, want line 2", got)
	}
}

func TestWriterAttrsAndMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	w, err := NewWriter(path, WriterOptions{Attrs: map[string]string{"tag": "web", "env": "<prod>"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(Entry{Line: []byte("hi"), Stream: "stdout", Time: t0}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Keys sorted and HTML-escaped, as encoding/json does in Docker.
	want := `{"log":"hi\n","stream":"stdout","attrs":{"env":"\u003cprod\u003e","tag":"web"},"time":"2024-01-02T03:04:05.123456789Z"}` + "\n"
	if string(data) != want {
		t.Errorf("got  %s\nwant %s", data, want)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", st.Mode().Perm())
	}
}

func TestWriterClosed(t *testing.T) {
	w, err := NewWriter(filepath.Join(t.TempDir(), "c-json.log"), WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := w.Write(numbered(1)); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Write after Close: %v, want fs.ErrClosed", err)
	}
}

func TestNewWriterErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
		opts WriterOptions
		want string
	}{
		{"negative size", filepath.Join(dir, "a.log"), WriterOptions{MaxSize: -1}, "invalid max size -1"},
		{"negative files", filepath.Join(dir, "a.log"), WriterOptions{MaxFiles: -2}, "invalid max files -2"},
		{"no directory", filepath.Join(dir, "missing", "a.log"), WriterOptions{}, "no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewWriter(tt.path, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// Add and Flush leave the same files as Write, byte for byte, rotation and
// max-file included, whatever the batches.
func TestAddFlushMatchesWrite(t *testing.T) {
	for _, opts := range []WriterOptions{{}, {MaxSize: 200, MaxFiles: 3}, {MaxSize: 150, MaxFiles: 1}, {MaxSize: 1, MaxFiles: 2, Attrs: map[string]string{"tag": "t"}}} {
		t.Run(fmt.Sprintf("max-size=%d,max-file=%d", opts.MaxSize, opts.MaxFiles), func(t *testing.T) {
			one, batched := filepath.Join(t.TempDir(), "log"), filepath.Join(t.TempDir(), "log")
			w1, err := NewWriter(one, opts)
			if err != nil {
				t.Fatal(err)
			}
			w2, err := NewWriter(batched, opts)
			if err != nil {
				t.Fatal(err)
			}
			added := 0
			for i := range 37 {
				if err := w1.Write(numbered(i)); err != nil {
					t.Fatal(err)
				}
				if err := w2.Add(numbered(i)); err != nil {
					t.Fatal(err)
				}
				added++
				if i%7 == 3 || i == 36 {
					if n, err := w2.Flush(); n != added || err != nil {
						t.Fatalf("flush after %d: %d written, %v; want all", i, n, err)
					}
					added = 0
				}
			}
			for _, w := range []*Writer{w1, w2} {
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
			}
			for _, suffix := range []string{"", ".1", ".2"} {
				a, errA := os.ReadFile(one + suffix)
				b, errB := os.ReadFile(batched + suffix)
				if (errA == nil) != (errB == nil) || string(a) != string(b) {
					t.Errorf("%s differs: Write gave %q (%v), Add/Flush %q (%v)", suffix, a, errA, b, errB)
				}
			}
		})
	}
}

// Write after Add keeps the order: what Add holds is written first, and
// the next Flush reports it.
func TestWriteAfterAdd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	w, err := NewWriter(path, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Add(numbered(0)); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(numbered(1)); err != nil {
		t.Fatal(err)
	}
	if n, err := w.Flush(); n != 1 || err != nil {
		t.Errorf("Flush: %d, %v; want the 1 entry added", n, err)
	}
	if got := fileLines(t, path); strings.Join(got, "|") != "line 0|line 1" {
		t.Errorf("the log holds %q, want line 0 then line 1", got)
	}
}
