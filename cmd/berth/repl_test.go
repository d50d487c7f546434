package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptyBerth is berth repl on a pseudo-terminal, as a user runs it.
type ptyBerth struct {
	cmd  *exec.Cmd
	tty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
	// sent is the output's length when keys were last typed: the next
	// keys wait for the editor to have answered those.
	sent int
}

func startPtyRepl(t testing.TB, root, home string) *ptyBerth {
	ctx, cancel := context.WithTimeout(context.Background(), commandDeadline)
	cmd := berthCmd(ctx, root, "repl")
	cmd.Env = append(cmd.Env, "HOME="+home, "TERM=xterm")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	p := &ptyBerth{cmd: cmd, tty: tty, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			// Answer the editor's cursor position queries, as a
			// terminal does.
			for range bytes.Count(buf[:n], []byte("\x1b[6n")) {
				tty.Write([]byte("\x1b[1;5R"))
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		tty.Close()
	})
	return p
}

// mark is where the output is now; expect looks only after it.
func (p *ptyBerth) mark() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Len()
}

func (p *ptyBerth) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// expect waits until want appears in the output after from.
func (p *ptyBerth) expect(t *testing.T, from int, want string) {
	t.Helper()
	deadline := time.Now().Add(markerDeadline)
	for time.Now().Before(deadline) {
		if out := p.output(); strings.Contains(out[min(from, len(out)):], want) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %q in the terminal after byte %d:\n%q", want, from, p.output())
}

// send types keys once the editor is reading: it has drawn something
// since the last keys, its cursor is shown, and it has been quiet for a
// moment. Keys typed while it still redraws for earlier ones, or waits
// for the terminal's answer to its cursor query, may be lost (the
// editor redraws once per key, so one drawn line is not yet the end).
func (p *ptyBerth) send(t *testing.T, keys string) {
	t.Helper()
	deadline := time.Now().Add(markerDeadline)
	for {
		out := p.output()
		if len(out) > p.sent && strings.HasSuffix(out, "\x1b[?25h") {
			time.Sleep(150 * time.Millisecond)
			if p.output() == out {
				break
			}
			continue
		}
		if time.Now().After(deadline) {
			t.Fatalf("the editor is not reading (no cursor shown since the last keys):\n%q", out)
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.sent = p.mark()
	if _, err := p.tty.Write([]byte(keys)); err != nil {
		t.Fatal(err)
	}
}

// TestReplTerminal drives berth repl through a real terminal: the prompt,
// statements and values, a block over several lines, Tab completion of a
// global and of a keyword argument, history (Up), Ctrl-C during a long
// run, :ls, and Ctrl-D leaving with nothing left behind.
func TestReplTerminal(t *testing.T) {
	needRoot(t)
	root, home := t.TempDir(), t.TempDir()
	p := startPtyRepl(t, root, home)
	p.expect(t, 0, ">>> ")

	p.send(t, "x = 7\r")
	m := p.mark()
	p.send(t, "x * 6\r")
	p.expect(t, m, "42\r\n")

	m = p.mark()
	p.send(t, "def f(a):\r")
	p.expect(t, m, "def f(a):\x1b[49m\x1b[0K\r\r\n") // a new line, the def not run
	p.send(t, "    return a + 1\r")
	p.send(t, "\r")
	m = p.mark()
	p.send(t, "f(x)\r")
	p.expect(t, m, "8\r\n")

	// Tab completes a global: "prin" becomes print.
	m = p.mark()
	p.send(t, "prin\t")
	p.expect(t, m, "print")
	p.send(t, "(x + 100)\r")
	p.expect(t, m, "107\r\n")

	// Tab completes a keyword argument of the call being typed.
	m = p.mark()
	p.send(t, "c = run(\"busybox\", \"sleep 100\", deta\t")
	p.expect(t, m, "detach=")
	p.send(t, "True, name=\"w1\")\r")
	p.expect(t, m, ">>> ")
	m = p.mark()
	p.send(t, "c.name\r")
	p.expect(t, m, "\"w1\"\r\n")

	// Up brings the last statement back.
	m = p.mark()
	p.send(t, "\x1b[A")
	p.expect(t, m, "c.name")
	p.send(t, "\r")
	p.expect(t, m, "\"w1\"\r\n")

	// Ctrl-C cancels a statement that would wait 100 s, and the session
	// goes on.
	m = p.mark()
	p.send(t, "run(\"busybox\", \"sleep 100\")\r")
	time.Sleep(2 * time.Second)                       // let it start: Ctrl-C must cancel a running wait
	if _, err := p.tty.Write([]byte{3}); err != nil { // Ctrl-C, no prompt to wait for
		t.Fatal(err)
	}
	p.expect(t, m, "interrupted")
	p.expect(t, m, ">>> ")
	m = p.mark()
	p.send(t, "print(\"after\", x)\r")
	p.expect(t, m, "after 7\r\n")

	m = p.mark()
	p.send(t, ":ls\r")
	p.expect(t, m, "w1")

	// Ctrl-D leaves, removing the session's containers.
	p.send(t, "\x04")
	select {
	case <-p.done:
	case <-time.After(commandDeadline):
		t.Fatalf("berth repl did not leave on Ctrl-D:\n%s", p.output())
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("berth repl: %v\n%s", err, p.output())
	}
	if ents, _ := os.ReadDir(filepath.Join(root, "containers")); len(ents) != 0 {
		t.Errorf("containers left after Ctrl-D: %v", ents)
	}
	hist := filepath.Join(home, ".berth_history")
	st, err := os.Stat(hist)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", hist, st.Mode().Perm())
	}
	data, _ := os.ReadFile(hist)
	for _, want := range []string{"c.name", "def f(a):"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("history has no %q:\n%s", want, data)
		}
	}
}

// TestReplStdin runs statements from a pipe: berth repl without a
// terminal, exit status 1 when one failed.
func TestReplStdin(t *testing.T) {
	needRoot(t)
	root := t.TempDir()
	tests := []struct {
		in, out, errText string
		code             int
	}{
		{`print(run("busybox", "echo hi").stdout)`, "hi\n", "", 0},
		{"x = 1\nprint(y)\nprint(x)\n", "1\n", "<stdin>:2:7: undefined: y", 1},
	}
	for _, tt := range tests {
		ctx, cancel := context.WithTimeout(context.Background(), commandDeadline)
		cmd := berthCmd(ctx, root, "repl")
		cmd.Stdin = strings.NewReader(tt.in)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		cancel()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tt.code || !strings.Contains(out.String(), tt.out) || !strings.Contains(errOut.String(), tt.errText) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit %d, %q, %q", tt.in, code, out.String(), errOut.String(), tt.code, tt.out, tt.errText)
		}
	}
	if ents, _ := os.ReadDir(filepath.Join(root, "containers")); len(ents) != 0 {
		t.Errorf("containers left: %v", ents)
	}
}

// BenchmarkReplReady measures how long berth repl takes from its start
// to its prompt on a terminal (target: 150 ms). It reports the median.
func BenchmarkReplReady(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root")
	}
	root, home := b.TempDir(), b.TempDir()
	var times []time.Duration
	for b.Loop() {
		start := time.Now()
		p := startPtyRepl(b, root, home)
		// Ready: the prompt drawn and the cursor shown, the editor reading.
		for out := p.output(); !strings.Contains(out, ">>> ") || !strings.HasSuffix(out, "\x1b[?25h"); out = p.output() {
			select {
			case <-p.done:
				b.Fatalf("berth repl ended before its prompt:\n%s", p.output())
			case <-time.After(time.Millisecond):
			}
		}
		times = append(times, time.Since(start))
		p.tty.Write([]byte{4})
		<-p.done
		p.cmd.Wait()
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-to-prompt(median)")
}
