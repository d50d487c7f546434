package engine

import (
	"berth/runtime/backend"
	"fmt"
	"strings"
	"testing"

	"berth/runtime/capped"
	"berth/runtime/spec"
)

// bigOutput is a shell command that prints total bytes of 1000-byte
// lines to stdout, then "done" to stderr; line is one of those lines.
func bigOutput(total int) (cmd []string, line string) {
	line = strings.Repeat("x", 999) + "\n"
	return []string{"sh", "-c", fmt.Sprintf("yes %s | head -c %d; echo done >&2", line[:999], total)}, line
}

// checkCut checks that text is a cut of total bytes that start (and,
// with wholeTail, end) with line after line: the first and last bytes with
// the marker between them naming total and note.
func checkCut(t *testing.T, name, text, line string, total int, note string, wholeTail bool) {
	t.Helper()
	limit := capped.Value
	lines := strings.Repeat(line, limit.Head/len(line)+1)
	head := lines[:limit.Head]
	marker := fmt.Sprintf("… [cut: %d bytes, showing the first 15 MiB and the last 1 MiB; %d bytes left out here; %s] …\n",
		total, total-limit.Head-limit.Tail, note)
	if !strings.HasSuffix(head, "\n") {
		marker = "\n" + marker // on a line of its own
	}
	if want := limit.Head + len(marker) + limit.Tail; len(text) != want {
		t.Fatalf("%s is %d bytes, want %d", name, len(text), want)
	}
	if text[:limit.Head] != head {
		t.Errorf("%s does not start with the first %d bytes of the output", name, limit.Head)
	}
	if got := text[limit.Head : limit.Head+len(marker)]; got != marker {
		t.Errorf("%s has %q after its head, want the marker %q", name, got, marker)
	}
	if tail := text[len(text)-limit.Tail:]; wholeTail && tail != lines[len(lines)-limit.Tail:] {
		t.Errorf("%s does not end with the last %d bytes of the output", name, limit.Tail)
	}
}

// A foreground run printing more than capped.Value keeps the first and
// last bytes of .stdout and .output with a note saying what was cut, and
// logs() still has every byte.
func TestForegroundOutputCapped(t *testing.T) {
	sb := sandbox(t)
	const total = 20_000_000
	cmd, line := bigOutput(total)
	c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: cmd}, backend.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fg, ok := c.ForegroundOutput()
	output, stdout, stderr := fg.Output, fg.Stdout, fg.Stderr
	if !ok || stderr != "done\n" {
		t.Fatalf("ForegroundOutput: ok %v, stderr %q", ok, stderr)
	}
	checkCut(t, "stdout", stdout, line, total, "logs() has all of it", true)
	checkCut(t, "output", output, line, total+len("done\n"), "logs() has all of it", false)

	logs, err := c.Logs(ctx(t), backend.LogOptions{Tail: -1, Stdout: true, Stderr: true})
	if err != nil {
		t.Fatal(err)
	}
	if n, lines := len(logs), strings.Count(logs, line); n != total+len("done\n") || lines != total/len(line) || !strings.Contains(logs, "\ndone\n") {
		t.Errorf("logs: %d bytes, %d full lines; want %d bytes, %d lines and done", n, lines, total+len("done\n"), total/len(line))
	}
}

// exec output is the container's too: bounded the same way, with a note
// that nothing else has the rest.
func TestExecOutputCapped(t *testing.T) {
	sb := sandbox(t)
	c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"sleep", "1000"}}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	const total = 20_000_000
	cmd, line := bigOutput(total)
	res, err := c.Exec(ctx(t), backend.ExecOptions{Cmd: cmd})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 0 || res.Stderr != "done\n" {
		t.Fatalf("exec: exit code %d, stderr %q", res.ExitCode, res.Stderr)
	}
	checkCut(t, "stdout", res.Stdout, line, total, execNote, true)
	checkCut(t, "output", res.Output, line, total+len("done\n"), execNote, false)
}
