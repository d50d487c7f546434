package jsonfile

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// mixed is entries 0..n-1, numbered, every third one on stderr.
func mixed(n int) []Entry {
	var out []Entry
	for i := range n {
		e := numbered(i)
		if i%3 == 0 {
			e.Stream = "stderr"
		}
		out = append(out, e)
	}
	return out
}

// gunzipLines returns the "log" texts of a compressed file and its header.
func gunzipLines(t *testing.T, path string) ([]string, gzipMeta) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	plain := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(plain, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	meta, err := readGzipMeta(f)
	if err != nil {
		t.Fatal(err)
	}
	return fileLines(t, plain), meta
}

func TestWriterCompressesRotatedFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	e := encodedLen(t)
	w, err := NewWriter(path, WriterOptions{MaxSize: 2 * e, MaxFiles: 4, Compress: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 9 {
		if err := w.Write(numbered(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n := w.CompressFailures(); n != 0 {
		t.Errorf("%d compress failures", n)
	}
	if got := fileLines(t, path); strings.Join(got, ",") != "line 8" {
		t.Errorf("current file holds %q, want line 8", got)
	}
	want := map[string][]string{".1.gz": names(6, 7), ".2.gz": names(4, 5), ".3.gz": names(2, 3)}
	for suffix, lines := range want {
		got, meta := gunzipLines(t, path+suffix)
		if strings.Join(got, ",") != strings.Join(lines, ",") {
			t.Errorf("%s holds %q, want %q", suffix, got, lines)
		}
		var n int
		if _, err := fmtSscan(lines[len(lines)-1], &n); err != nil {
			t.Fatal(err)
		}
		if !meta.LastTime.Equal(numbered(n).Time) {
			t.Errorf("%s header time %v, want the last entry's %v", suffix, meta.LastTime, numbered(n).Time)
		}
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, d := range entries {
		listed = append(listed, d.Name())
	}
	if got := strings.Join(listed, " "); got != "c-json.log c-json.log.1.gz c-json.log.2.gz c-json.log.3.gz" {
		t.Errorf("files: %s (no plain rotated file, no .tmp, nothing past max-file)", got)
	}
}

func TestWriterCompressFailureKeepsThePlainFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c-json.log")
	e := encodedLen(t)
	// A directory where the temporary file goes makes the compression fail.
	if err := os.Mkdir(path+".1"+gzSuffix+".tmp", 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(path+".1"+gzSuffix+".tmp", "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := NewWriter(path, WriterOptions{MaxSize: 2 * e, MaxFiles: 3, Compress: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := w.Write(numbered(i)); err != nil {
			t.Fatal(err)
		}
	}
	err = w.Close()
	if err == nil || !strings.Contains(err.Error(), "compress rotated log") {
		t.Errorf("Close: %v, want the compression's error", err)
	}
	if n := w.CompressFailures(); n != 1 {
		t.Errorf("%d compress failures, want 1", n)
	}
	if got := fileLines(t, path+".1"); strings.Join(got, ",") != "line 0,line 1" {
		t.Errorf("plain rotated file holds %q", got)
	}
	if got := readLines(t, path, ReadOptions{Tail: -1, Stdout: true}); got != "line 0 line 1 line 2" {
		t.Errorf("read %q", got)
	}
}

// compressedLog writes entries to a log rotated every two entries, plain
// and compressed, and returns both paths.
func compressedLog(t *testing.T, entries []Entry) (plain, compressed string) {
	t.Helper()
	e := encodedLen(t)
	plain = filepath.Join(t.TempDir(), "plain-json.log")
	compressed = filepath.Join(t.TempDir(), "gz-json.log")
	writeLog(t, plain, WriterOptions{MaxSize: 2*e + 1, MaxFiles: 10}, entries)
	writeLog(t, compressed, WriterOptions{MaxSize: 2*e + 1, MaxFiles: 10, Compress: true}, entries)
	if _, err := os.Stat(compressed + ".1"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s.1 should be compressed: %v", compressed, err)
	}
	return plain, compressed
}

func TestReadCompressedLikePlain(t *testing.T) {
	plain, compressed := compressedLog(t, mixed(14))
	// The newest rotated file not compressed yet, as right after a rotation.
	pending := filepath.Join(t.TempDir(), "pending-json.log")
	copyFile(t, compressed, pending)
	for i := 1; ; i++ {
		suffix := rotatedName("", i) + gzSuffix
		if _, err := os.Stat(compressed + suffix); err != nil {
			break
		}
		copyFile(t, compressed+suffix, pending+suffix)
	}
	lines, _ := gunzipLines(t, pending+".1.gz")
	os.Remove(pending + ".1.gz")
	writeLog(t, pending+".1", WriterOptions{}, entriesNamed(t, lines))

	all := ReadOptions{Tail: -1, Stdout: true, Stderr: true}
	with := func(f func(*ReadOptions)) ReadOptions { o := all; f(&o); return o }
	tests := []struct {
		name string
		opts ReadOptions
		want string
	}{
		{"all", all, "line 0 line 1 line 2 line 3 line 4 line 5 line 6 line 7 line 8 line 9 line 10 line 11 line 12 line 13"},
		{"tail in the current file", with(func(o *ReadOptions) { o.Tail = 1 }), "line 13"},
		{"tail into a compressed file", with(func(o *ReadOptions) { o.Tail = 4 }), "line 10 line 11 line 12 line 13"},
		{"tail across compressed files", with(func(o *ReadOptions) { o.Tail = 8 }), "line 6 line 7 line 8 line 9 line 10 line 11 line 12 line 13"},
		{"tail more than there is", with(func(o *ReadOptions) { o.Tail = 100 }), "line 0 line 1 line 2 line 3 line 4 line 5 line 6 line 7 line 8 line 9 line 10 line 11 line 12 line 13"},
		{"tail of stderr", with(func(o *ReadOptions) { o.Tail = 3; o.Stdout = false }), "line 6 line 9 line 12"},
		{"since skips files", with(func(o *ReadOptions) { o.Since = numbered(7).Time }), "line 7 line 8 line 9 line 10 line 11 line 12 line 13"},
		{"since with tail", with(func(o *ReadOptions) { o.Since = numbered(7).Time; o.Tail = 20 }), "line 7 line 8 line 9 line 10 line 11 line 12 line 13"},
		{"until", with(func(o *ReadOptions) { o.Until = numbered(4).Time }), "line 0 line 1 line 2 line 3 line 4"},
		{"since and until", with(func(o *ReadOptions) { o.Since, o.Until = numbered(3).Time, numbered(5).Time }), "line 3 line 4 line 5"},
		{"until with tail", with(func(o *ReadOptions) { o.Until = numbered(4).Time; o.Tail = 2 }), "line 3 line 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range []string{plain, compressed, pending} {
				if got := readLines(t, p, tt.opts); got != tt.want {
					t.Errorf("%s:\n got %q\nwant %q", filepath.Base(p), got, tt.want)
				}
			}
		})
	}
}

func TestReadDamagedCompressedFile(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, gz string)
		opts   ReadOptions
		want   string // lines still read, but for those in vary
		errs   string // in the error; "" for none
	}{
		{"truncated", truncateHalf, ReadOptions{Tail: -1, Stdout: true, Stderr: true},
			"line 0 line 1 line 2 line 6 line 7 line 8 line 9", "gz-json.log.2.gz"},
		{"not gzip", garble, ReadOptions{Tail: -1, Stdout: true, Stderr: true},
			"line 0 line 1 line 2 line 6 line 7 line 8 line 9", "gz-json.log.2.gz"},
		// The tail takes from .2 what it still yields, then from .3.
		{"truncated, tail", truncateHalf, ReadOptions{Tail: 5, Stdout: true, Stderr: true},
			"line 6 line 7 line 8 line 9", "gz-json.log.2.gz"},
		{"since past it: not decompressed", truncateBody, ReadOptions{Tail: -1, Stdout: true, Stderr: true, Since: numbered(6).Time},
			"line 6 line 7 line 8 line 9", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// current: 9; .1: 6-8; .2: 3-5; .3: 0-2
			_, compressed := compressedLog(t, mixed(10))
			tt.damage(t, compressed+".2.gz")
			var got []string
			err := Read(context.Background(), compressed, tt.opts, func(e Entry) error {
				got = append(got, string(e.Line))
				return nil
			})
			// What the truncated file still yields before the damage
			// varies with where gzip's blocks end, and so what a tail
			// takes from the file before it.
			vary := map[string]bool{"line 3": true, "line 4": true, "line 5": true}
			if tt.opts.Tail > 0 {
				vary["line 2"], vary["line 1"] = true, true
			}
			var kept []string
			for _, l := range got {
				if !vary[l] {
					kept = append(kept, l)
				}
			}
			if s := strings.Join(kept, " "); s != tt.want {
				t.Errorf("read %q, want %q", s, tt.want)
			}
			switch {
			case tt.errs == "" && err != nil:
				t.Errorf("error %v", err)
			case tt.errs != "" && (err == nil || !strings.Contains(err.Error(), tt.errs)):
				t.Errorf("error %v, want one naming %s", err, tt.errs)
			}
		})
	}
}

func TestFollowCompressedRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	w, err := NewWriter(path, WriterOptions{MaxSize: 800, MaxFiles: 500, Compress: true})
	if err != nil {
		t.Fatal(err)
	}
	const n = 2000
	done := make(chan struct{})
	f := follow(context.Background(), path, ReadOptions{Tail: -1, Done: done, MaxFiles: 500})
	for i := range n {
		if err := w.Write(numbered(i)); err != nil {
			t.Fatal(err)
		}
		if i%200 == 0 {
			time.Sleep(2 * time.Millisecond) // let the follower fall behind and catch up
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	close(done)
	got, err := f.finish(t)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("got %d entries, want %d", len(got), n)
	}
	for i, line := range got {
		if want := numbered(i).Line; line != string(want) {
			t.Fatalf("entry %d is %q, want %q", i, line, want)
		}
	}
}

func truncateHalf(t *testing.T, gz string) {
	st, err := os.Stat(gz)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(gz, st.Size()/2); err != nil {
		t.Fatal(err)
	}
}

// truncateBody keeps the header (and its time) but cuts the stream.
func truncateBody(t *testing.T, gz string) {
	data, err := os.ReadFile(gz)
	if err != nil {
		t.Fatal(err)
	}
	end := bytes.LastIndexByte(data, '}') + 2 // just past the Extra JSON
	if err := os.WriteFile(gz, data[:end], 0o600); err != nil {
		t.Fatal(err)
	}
}

func garble(t *testing.T, gz string) {
	if err := os.WriteFile(gz, []byte("not gzip at all"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// entriesNamed turns "line N" texts back into mixed's entries.
func entriesNamed(t *testing.T, lines []string) []Entry {
	t.Helper()
	var out []Entry
	for _, l := range lines {
		var n int
		if _, err := fmtSscan(l, &n); err != nil {
			t.Fatal(err)
		}
		out = append(out, mixed(n + 1)[n])
	}
	return out
}

func fmtSscan(line string, n *int) (int, error) { return fmt.Sscanf(line, "line %d", n) }

func TestReadGzipMeta(t *testing.T) {
	last := time.Date(2024, 5, 6, 7, 8, 9, 500, time.UTC)
	tests := []struct {
		name    string
		extra   []byte
		modTime time.Time
		want    time.Time
	}{
		{"Docker's Extra", []byte(`{"lastTime":"2024-05-06T07:08:09.0000005Z"}`), last.Truncate(time.Second), last},
		// Whole seconds only: the last entry may be up to a second later.
		{"header time only", nil, last.Truncate(time.Second), last.Truncate(time.Second).Add(time.Second)},
		{"no time at all", []byte("not json"), time.Time{}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Header.Extra, zw.Header.ModTime = tt.extra, tt.modTime
			if _, err := zw.Write([]byte("{}\n")); err != nil {
				t.Fatal(err)
			}
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
			meta, err := readGzipMeta(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if !meta.LastTime.Equal(tt.want) {
				t.Errorf("last time %v, want %v", meta.LastTime, tt.want)
			}
		})
	}
	if _, err := readGzipMeta(strings.NewReader("plain text")); err == nil {
		t.Error("a file that is not gzip gives no error")
	}
}
