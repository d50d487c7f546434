package jsonfile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fixture: stdout lines o0 o2 o3 o5 o7, stderr lines e1 e4 e6, entry i
// logged at t0+i seconds.
func fixture() []Entry {
	var out []Entry
	for i, s := range "oeooeoeo" {
		stream := map[rune]string{'o': "stdout", 'e': "stderr"}[s]
		out = append(out, Entry{Line: fmt.Appendf(nil, "%c%d", s, i), Stream: stream, Time: at(i)})
	}
	return out
}

func at(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }

func writeLog(t testing.TB, path string, opts WriterOptions, entries []Entry) {
	t.Helper()
	w, err := NewWriter(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// readLines reads the whole log and returns its lines separated by
// spaces, a partial entry marked with a trailing "~".
func readLines(t *testing.T, path string, opts ReadOptions) string {
	t.Helper()
	var got []string
	err := Read(context.Background(), path, opts, func(e Entry) error {
		s := string(e.Line)
		if e.Partial {
			s += "~"
		}
		got = append(got, s)
		return nil
	})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return strings.Join(got, " ")
}

func TestReadFilters(t *testing.T) {
	both := func(o ReadOptions) ReadOptions { o.Stdout, o.Stderr = true, true; return o }
	tests := []struct {
		name string
		opts ReadOptions
		want string
	}{
		{"all", both(ReadOptions{Tail: -1}), "o0 e1 o2 o3 e4 o5 e6 o7"},
		{"tail 0", both(ReadOptions{Tail: 0}), ""},
		{"tail 3", both(ReadOptions{Tail: 3}), "o5 e6 o7"},
		{"tail 1", both(ReadOptions{Tail: 1}), "o7"},
		{"tail more than there is", both(ReadOptions{Tail: 100}), "o0 e1 o2 o3 e4 o5 e6 o7"},
		{"stdout", ReadOptions{Tail: -1, Stdout: true}, "o0 o2 o3 o5 o7"},
		{"stderr", ReadOptions{Tail: -1, Stderr: true}, "e1 e4 e6"},
		{"tail counts the selected stream", ReadOptions{Tail: 2, Stderr: true}, "e4 e6"},
		{"since is inclusive", both(ReadOptions{Tail: -1, Since: at(3)}), "o3 e4 o5 e6 o7"},
		{"since between entries", both(ReadOptions{Tail: -1, Since: at(2).Add(time.Millisecond)}), "o3 e4 o5 e6 o7"},
		{"until is inclusive", both(ReadOptions{Tail: -1, Until: at(2)}), "o0 e1 o2"},
		{"since and until", both(ReadOptions{Tail: -1, Since: at(2), Until: at(5)}), "o2 o3 e4 o5"},
		{"tail within until", both(ReadOptions{Tail: 2, Until: at(4)}), "o3 e4"},
		{"tail within since", both(ReadOptions{Tail: 2, Since: at(6)}), "e6 o7"},
		{"tail larger than since allows", both(ReadOptions{Tail: 5, Since: at(6)}), "e6 o7"},
		{"tail, stream and since", ReadOptions{Tail: 2, Stdout: true, Since: at(1)}, "o5 o7"},
		{"since after the end", both(ReadOptions{Tail: -1, Since: at(8)}), ""},
		{"until before the start", both(ReadOptions{Tail: -1, Until: at(0).Add(-time.Nanosecond)}), ""},
		{"tail and until before the start", both(ReadOptions{Tail: 3, Until: at(0).Add(-time.Nanosecond)}), ""},
	}
	layouts := []struct {
		name string
		opts func(t *testing.T) WriterOptions
	}{
		{"one file", func(*testing.T) WriterOptions { return WriterOptions{} }},
		// Two or three entries a file: every read crosses rotated files.
		{"rotated", func(t *testing.T) WriterOptions { return WriterOptions{MaxSize: 2 * encodedLen(t), MaxFiles: 10} }},
		{"one entry a file", func(t *testing.T) WriterOptions { return WriterOptions{MaxSize: 1, MaxFiles: 10} }},
	}
	for _, layout := range layouts {
		t.Run(layout.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c-json.log")
			writeLog(t, path, layout.opts(t), fixture())
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					if got := readLines(t, path, tt.opts); got != tt.want {
						t.Errorf("got %q, want %q", got, tt.want)
					}
				})
			}
		})
	}
}

func TestReadRotatedFilesHonoursMaxFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	writeLog(t, path, WriterOptions{MaxSize: 1, MaxFiles: 10}, fixture())
	// Files past the writer's max-file (left by an earlier setting) are
	// not part of the log.
	got := readLines(t, path, ReadOptions{Tail: -1, Stdout: true, Stderr: true, MaxFiles: 3})
	if got != "o5 e6 o7" {
		t.Errorf("got %q, want the current and two rotated files", got)
	}
}

func TestReadPartialEntries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	writeLog(t, path, WriterOptions{}, []Entry{
		{Line: []byte("aaa"), Partial: true, Stream: "stdout", Time: at(0)},
		{Line: []byte("bbb"), Stream: "stdout", Time: at(0)},
		{Line: []byte("tail"), Partial: true, Stream: "stdout", Time: at(1)},
	})
	if got := readLines(t, path, ReadOptions{Tail: -1, Stdout: true}); got != "aaa~ bbb tail~" {
		t.Errorf("got %q", got)
	}
}

func appendRaw(t *testing.T, path, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
}

func TestReadSkipsUnfinishedAndBlankLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	writeLog(t, path, WriterOptions{}, fixture()[:2])
	appendRaw(t, path, "\n  \n")
	writeLog(t, path, WriterOptions{}, fixture()[2:3])
	appendRaw(t, path, `{"log":"half`) // an entry being written
	for _, tail := range []int{-1, 1, 2, 5} {
		want := map[int]string{-1: "o0 e1 o2", 1: "o2", 2: "e1 o2", 5: "o0 e1 o2"}[tail]
		if got := readLines(t, path, ReadOptions{Tail: tail, Stdout: true, Stderr: true}); got != want {
			t.Errorf("tail %d: got %q, want %q", tail, got, want)
		}
	}
}

func TestReadMissingLogIsEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "never-started-json.log")
	if got := readLines(t, path, ReadOptions{Tail: -1, Stdout: true, Stderr: true}); got != "" {
		t.Errorf("got %q, want nothing", got)
	}
}

func TestReadErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	writeLog(t, path, WriterOptions{}, fixture()[:1])
	corrupt := filepath.Join(t.TempDir(), "corrupt-json.log")
	writeLog(t, corrupt, WriterOptions{}, fixture()[:1])
	appendRaw(t, corrupt, "garbage\n")
	stop := errors.New("stop")
	tests := []struct {
		name string
		path string
		opts ReadOptions
		fn   func(Entry) error
		want string
	}{
		{"bad tail", path, ReadOptions{Tail: -2, Stdout: true}, nil, "invalid tail -2"},
		{"no stream", path, ReadOptions{Tail: -1}, nil, "no stream selected"},
		{"corrupt entry", corrupt, ReadOptions{Tail: -1, Stdout: true}, nil, "entry at offset"},
		{"corrupt entry, tail with filter", corrupt, ReadOptions{Tail: 1, Stdout: true}, nil, "entry at offset"},
		{"error from fn", path, ReadOptions{Tail: -1, Stdout: true}, func(Entry) error { return stop }, "stop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := tt.fn
			if fn == nil {
				fn = func(Entry) error { return nil }
			}
			err := Read(context.Background(), tt.path, tt.opts, fn)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	err := Read(context.Background(), path, ReadOptions{Tail: -1, Stdout: true}, func(Entry) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("fn's error comes back as %v", err)
	}
}

// follower runs Read with Follow in a goroutine and passes entries on.
type follower struct {
	lines chan string
	err   chan error
}

func follow(ctx context.Context, path string, opts ReadOptions) *follower {
	f := &follower{lines: make(chan string, 100000), err: make(chan error, 1)}
	opts.Follow = true
	opts.Stdout, opts.Stderr = true, true
	opts.PollInterval = time.Millisecond
	go func() {
		f.err <- Read(ctx, path, opts, func(e Entry) error {
			f.lines <- string(e.Line)
			return nil
		})
		close(f.lines)
	}()
	return f
}

func (f *follower) next(t *testing.T) string {
	t.Helper()
	line, ok := <-f.lines
	if !ok {
		t.Fatal("follow ended early")
	}
	return line
}

// finish waits for Read to return and lists what it handed out after
// the entries already taken with next.
func (f *follower) finish(t *testing.T) (rest []string, err error) {
	t.Helper()
	for line := range f.lines {
		rest = append(rest, line)
	}
	return rest, <-f.err
}

func TestFollowUntilDone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	w, err := NewWriter(path, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	entries := fixture()
	for _, e := range entries[:3] {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	f := follow(context.Background(), path, ReadOptions{Tail: 2, Done: done})
	if got := f.next(t) + " " + f.next(t); got != "e1 o2" {
		t.Fatalf("tail 2 gave %q", got)
	}
	for _, e := range entries[3:] {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	close(done) // the container exited: the rest is read, then Read returns
	rest, err := f.finish(t)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rest, " "); got != "o3 e4 o5 e6 o7" {
		t.Errorf("after the tail: %q", got)
	}
}

func TestFollowConcurrentWriterWithRotation(t *testing.T) {
	const n = 2000
	tests := []struct {
		name string
		opts WriterOptions
		// lossy: files are dropped at max-file, possibly before the
		// follower got to them; what it hands out must still be in order.
		lossy bool
	}{
		{"no rotation", WriterOptions{}, false},
		// About ten entries a file, all kept: rotations come faster than
		// the follower looks, and it must walk every file in order.
		{"rotation keeping every file", WriterOptions{MaxSize: 800, MaxFiles: 200}, false},
		{"rotation dropping files", WriterOptions{MaxSize: 800, MaxFiles: 2}, true},
		{"one file started over", WriterOptions{MaxSize: 800, MaxFiles: 1}, true},
		{"compressed rotation keeping every file", WriterOptions{MaxSize: 800, MaxFiles: 200, Compress: true}, false},
		{"compressed rotation dropping files", WriterOptions{MaxSize: 800, MaxFiles: 3, Compress: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c-json.log")
			w, err := NewWriter(path, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			f := follow(context.Background(), path, ReadOptions{Tail: -1, Done: done, MaxFiles: tt.opts.MaxFiles})
			for i := range n {
				if err := w.Write(numbered(i)); err != nil {
					t.Fatal(err)
				}
			}
			w.Close()
			close(done)
			got, err := f.finish(t)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.lossy && len(got) != n {
				t.Fatalf("got %d entries, want %d", len(got), n)
			}
			prev := -1
			for _, line := range got {
				var i int
				if _, err := fmt.Sscanf(line, "line %d", &i); err != nil {
					t.Fatalf("entry %q: %v", line, err)
				}
				if i <= prev || (!tt.lossy && i != prev+1) {
					t.Fatalf("entry %d after entry %d", i, prev)
				}
				prev = i
			}
			if prev != n-1 {
				t.Errorf("last entry is %d, want %d", prev, n-1)
			}
		})
	}
}

func TestFollowLogCreatedLater(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	done := make(chan struct{})
	f := follow(context.Background(), path, ReadOptions{Tail: -1, Done: done})
	writeLog(t, path, WriterOptions{}, fixture()[:2])
	close(done)
	got, err := f.finish(t)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "o0 e1" {
		t.Errorf("got %q", got)
	}
}

func TestFollowStopsAtUntil(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	writeLog(t, path, WriterOptions{}, fixture())
	// No Done: only passing Until ends the read.
	f := follow(context.Background(), path, ReadOptions{Tail: -1, Until: at(1)})
	got, err := f.finish(t)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "o0 e1" {
		t.Errorf("got %q", got)
	}
}

func TestFollowCancelled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	writeLog(t, path, WriterOptions{}, fixture()[:1])
	ctx, cancel := context.WithCancel(context.Background())
	f := follow(ctx, path, ReadOptions{Tail: -1})
	if got := f.next(t); got != "o0" {
		t.Fatalf("got %q", got)
	}
	cancel()
	if _, err := f.finish(t); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func TestFollowDoneDrainsButSkipsUnfinishedLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	writeLog(t, path, WriterOptions{}, fixture()[:2])
	appendRaw(t, path, `{"log":"ha`)
	done := make(chan struct{})
	close(done)
	f := follow(context.Background(), path, ReadOptions{Tail: -1, Done: done})
	got, err := f.finish(t)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "o0 e1" {
		t.Errorf("got %q", got)
	}
}

// A follower with tail 0 starts after the last complete line, so a line
// half written when it starts is handed out once it is complete.
func TestTailZeroStartsAtUnfinishedLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	writeLog(t, path, WriterOptions{}, fixture()[:2])
	line, err := appendEntry(nil, fixture()[2], nil)
	if err != nil {
		t.Fatal(err)
	}
	half := len(line) / 2
	appendRaw(t, path, string(line[:half]))

	segs, _, err := openSegments(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	r := &reader{ctx: context.Background(), path: path, segs: segs,
		opts: ReadOptions{Tail: 0, Stdout: true, Stderr: true, Follow: true}}
	defer r.close()
	start, err := r.start()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	r.fn = func(e Entry) error { got = append(got, string(e.Line)); return nil }
	lr := newLineReader(segs[start.seg].f, start.off)
	if err := lr.read(r.ctx, -1, r.emitter(segs[start.seg])); err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatalf("half a line gave %q", got)
	}
	appendRaw(t, path, string(line[half:]))
	if err := lr.read(r.ctx, -1, r.emitter(segs[start.seg])); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "o2" {
		t.Errorf("got %q, want o2", got)
	}
}

// A follow whose Until is over returns once it has read the log, even
// with no entry after Until and no Done.
func TestFollowUntilInThePast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	writeLog(t, path, WriterOptions{}, fixture()[:3])
	f := follow(context.Background(), path, ReadOptions{Tail: -1, Until: at(7)})
	got, err := f.finish(t)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "o0 e1 o2" {
		t.Errorf("got %q", got)
	}
}
