package engine

import (
	"berth/runtime/backend"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"berth/runtime/internal/tinyfs"
	"berth/runtime/spec"
)

// lockedBuffer collects the engine's warnings (written under warnMu).
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// catchWarnings sends the test engine's warnings to a buffer until the
// test ends.
func catchWarnings(t *testing.T) *lockedBuffer {
	var b lockedBuffer
	testEngine.warnMu.Lock()
	old := testEngine.warnings
	testEngine.warnings = &b
	testEngine.warnMu.Unlock()
	t.Cleanup(func() {
		testEngine.warnMu.Lock()
		testEngine.warnings = old
		testEngine.warnMu.Unlock()
	})
	return &b
}

// logOnTinyDisk puts the container's json-file log on a 1 MiB tmpfs with
// only keep bytes free; free gives the rest back.
func logOnTinyDisk(t *testing.T, c *Container, keep int64) (free func()) {
	dir := tinyfs.Mount(t, 1<<20)
	disk := filepath.Join(dir, "log")
	for _, f := range []string{disk, c.logPath} {
		if err := os.WriteFile(f, nil, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	free = tinyfs.Fill(t, dir, keep)
	if err := unix.Mount(disk, c.logPath, "", unix.MS_BIND, ""); err != nil {
		t.Fatalf("bind the log on the tmpfs: %v", err)
	}
	t.Cleanup(func() { // before the sandbox removes the container's directory
		if err := unix.Unmount(c.logPath, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount the log: %v", err)
		}
	})
	return free
}

// A container prints more than its log's disk holds: nothing blocks, the
// loss is counted and reported (State, inspect, warning, failure report,
// wait_for_log), and once space returns the log goes on after a marker
// that says what is missing.
func TestLogOnAFullDisk(t *testing.T) {
	sb := sandbox(t)
	warnings := catchWarnings(t)
	const lines, pad = 3000, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	script := `i=0; while [ $i -lt ` + strconv.Itoa(lines) + ` ]; do printf 'line %05d ` + pad + `\n' $i; i=$((i+1)); done
while [ ! -e /go ]; do sleep 0.05; done; echo after`
	c, err := sb.Create(ctx(t), spec.Container{Name: "chatty", Image: "busybox", Cmd: []string{"sh", "-c", script}})
	if err != nil {
		t.Fatal(err)
	}
	free := logOnTinyDisk(t, engineOf(c), 64<<10)
	if err := c.Start(ctx(t), backend.StartOptions{}); err != nil {
		t.Fatal(err)
	}

	// The line cannot come before /go exists: the wait must end with the
	// loss, not at its timeout (an hour) or the test's deadline.
	err = backend.WaitForLog(ctx(t), c, regexp.MustCompile("^after$"), 1, time.Hour)
	if err == nil || !strings.Contains(err.Error(), "is missing lines") || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("wait_for_log: %v, want it to fail naming the lost messages and ENOSPC", err)
	}
	waitAccounted(t, engineOf(c), lines)
	st := c.State()

	if st.LogErrors == 0 || !strings.Contains(st.Error, "no space left on device") || !strings.Contains(st.Error, "log messages") {
		t.Fatalf("state: %d log errors, error %q; want lost messages and ENOSPC", st.LogErrors, st.Error)
	}
	t.Logf("state error: %s", st.Error)
	if got := inspect(t, c)["State"].(map[string]any)["Error"]; got != st.Error {
		t.Errorf("inspect State.Error %q, want %q", got, st.Error)
	}
	if d := sb.Diagnostics(ctx(t)); !strings.Contains(d, "no space left on device") {
		t.Errorf("the failure report does not show the loss:\n%s", d)
	}

	free()
	if _, err := c.Exec(ctx(t), backend.ExecOptions{Cmd: []string{"touch", "/go"}}); err != nil {
		t.Fatal(err)
	}
	if code, err := c.Wait(ctx(t)); err != nil || code != 0 {
		t.Fatalf("wait: %d, %v", code, err)
	}
	// Final once the container has exited and its pipes are drained.
	if got, want := inspect(t, c)["State"].(map[string]any)["LogErrors"], c.State().LogErrors; got != want {
		t.Errorf("inspect State.LogErrors %v, want %d", got, want)
	}
	t.Logf("warnings: %s", warnings)
	checkLostAndMarked(t, engineOf(c), lines, int64(len("line 00000 "+pad+"\n")))
	if w := warnings.String(); strings.Count(w, "\n") != 1 || !strings.Contains(w, "container chatty") || !strings.Contains(w, "no space left on device") {
		t.Errorf("warnings:\n%s\nwant one line naming the container and ENOSPC", w)
	}
}

// waitAccounted waits until each of the printed lines is in the log or
// counted lost: the burst has left the pipe.
func waitAccounted(t *testing.T, c *Container, printed int) {
	t.Helper()
	ctx := ctx(t)
	for {
		out, err := c.Logs(ctx, backend.LogOptions{Tail: -1, Stdout: true, Stderr: true})
		if err != nil {
			t.Fatalf("logs: %v", err)
		}
		if int64(strings.Count(out, "line "))+c.State().LogErrors == int64(printed) {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the copier never accounted for the %d lines printed", printed)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

var markerPattern = regexp.MustCompile(`^\[berth: (\d+) messages \((\d+) bytes\) lost: no space left on device\]$`)

// checkLostAndMarked reads the whole log back: every line printed is either
// in it or counted, the markers add up to the count, and the last one
// stands right before the line written when space returned.
func checkLostAndMarked(t *testing.T, c *Container, printed int, lineSize int64) {
	t.Helper()
	out, err := c.Logs(ctx(t), backend.LogOptions{Tail: -1, Stdout: true, Stderr: true})
	if err != nil {
		t.Fatalf("logs: %v", err)
	}
	logged := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	var kept, marked, markedBytes int64
	for _, l := range logged {
		if m := markerPattern.FindStringSubmatch(l); m != nil {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			b, _ := strconv.ParseInt(m[2], 10, 64)
			marked, markedBytes = marked+n, markedBytes+b
		} else if strings.HasPrefix(l, "line ") {
			kept++
		}
	}
	lost := c.State().LogErrors
	if kept+lost != int64(printed) {
		t.Errorf("%d lines in the log and %d counted lost, want %d in all", kept, lost, printed)
	}
	if marked != lost || markedBytes != lost*lineSize {
		t.Errorf("markers say %d messages (%d bytes), want %d (%d)", marked, markedBytes, lost, lost*lineSize)
	}
	if n := len(logged); n < 2 || !markerPattern.MatchString(logged[n-2]) || logged[n-1] != "after" {
		t.Errorf("the log ends with %q, want a marker then \"after\"", logged[max(0, n-2):])
	}
}
