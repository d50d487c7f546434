package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// SIGINT and SIGTERM stop berth run and berth test: the interrupted case
// fails, the rest are skipped, the summary line is still printed last,
// everything the run created is removed and the exit status is the one a
// shell shows for the signal (128+N).
func TestInterruptRemovesEverything(t *testing.T) {
	needRoot(t)
	for _, command := range []string{"run", "test"} {
		for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
			t.Run(command+"/"+unix.SignalName(sig), func(t *testing.T) {
				root := newRoot(t)
				dir := t.TempDir()
				marker := filepath.Join(dir, "ready")
				scenario := writeFile(t, filepath.Join(dir, "hold.star"), holdScenario(marker, 2, true))
				path := scenario
				if command == "test" {
					path = dir
				}
				b := start(t, root.path, command, path)
				b.waitForFile(t, marker)
				// Two detached containers and the foreground one.
				b.waitFor(t, "3 settled containers", func() bool { return root.settled(t, 3) })
				before := root.scan(t)
				procs := identify(t, before.pids)

				b.signal(t, sig)
				ws := b.wait(t)
				if ws.ExitStatus() != 128+int(sig) {
					t.Errorf("exit after %s: %v, want status %d", unix.SignalName(sig), ws, 128+int(sig))
				}
				out := b.stdout.String()
				lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
				for _, want := range []string{
					"FAIL " + scenario + "::test_hold",
					"    interrupted",
					"container fg (",
				} {
					if !strings.Contains(out, want) {
						t.Errorf("report lacks %q\n%s", want, b.output())
					}
				}
				if got := lines[len(lines)-1]; got != "0 passed, 1 failed, 1 skipped" {
					t.Errorf("last line %q, want the summary\n%s", got, b.output())
				}
				if want := fmt.Sprintf("berth: run interrupted: received %s\n", unix.SignalName(sig)); b.stderr.String() != want {
					t.Errorf("stderr %q, want %q", b.stderr.String(), want)
				}
				if l := root.scan(t); !l.empty() {
					t.Errorf("left after %s: %s", unix.SignalName(sig), l)
				}
				if alive := procs.alive(); len(alive) > 0 {
					t.Errorf("container processes %v alive after %s", alive, unix.SignalName(sig))
				}
			})
		}
	}
}
