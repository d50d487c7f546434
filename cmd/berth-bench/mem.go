package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
)

// Memory targets of issue 8 §3, in MB of 10^6 bytes.
const (
	targetForegroundMB = 100 // a foreground run printing 200 MB
	targetLogsSlackMB  = 50  // logs(): 2 × the text returned + this
)

// benchMemory measures berth's peak RSS in a child `berth run`, whose
// maximum resident set the kernel reports when it is waited for: once
// for a foreground run printing o.bigMB MB, once for logs() of a log of
// that size (the container runs detached first, so nothing is captured).
func benchMemory(ctx context.Context, o options, w io.Writer) error {
	if o.berth == "" {
		fmt.Fprintf(w, "%-44s (no berth binary: build bin/berth or pass -berth)\n", "berth peak RSS")
		return nil
	}
	dir, err := os.MkdirTemp("", "berth-bench-mem-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	total := o.bigMB * 1_000_000
	// 100-byte lines: 2 million messages for 200 MB.
	printer := fmt.Sprintf(`["sh", "-c", "yes %s | head -c %d"]`, strings.Repeat("y", 99), total)
	runs := []struct {
		name, src, value string
	}{
		{fmt.Sprintf("foreground run printing %d MB", o.bigMB), fmt.Sprintf(
			"c = run(\"busybox\", %s)\nprint(\"value\", len(c.stdout))\n", printer), ".stdout"},
		{fmt.Sprintf("logs() of a %d MB log", o.bigMB), fmt.Sprintf(
			"c = run(\"busybox\", %s, detach = True)\nc.wait()\nprint(\"value\", len(c.logs()))\n", printer), "logs()"},
	}
	for i, r := range runs {
		path := filepath.Join(dir, fmt.Sprintf("mem%d.star", i))
		if err := os.WriteFile(path, []byte(r.src), 0o644); err != nil {
			return err
		}
		peakKB, valueLen, err := peakRSS(ctx, o, path)
		if err != nil {
			return fmt.Errorf("berth peak RSS, %s: %w", r.name, err)
		}
		peakMB := float64(peakKB) * 1024 / 1e6
		valueMB := float64(valueLen) / 1e6
		target := float64(targetForegroundMB)
		rule := fmt.Sprintf("%d MB", targetForegroundMB)
		if i == 1 {
			target = 2*valueMB + targetLogsSlackMB
			rule = fmt.Sprintf("2 × %.1f MB + %d MB", valueMB, targetLogsSlackMB)
		}
		verdict := "meets"
		if peakMB > target {
			verdict = "MISSES"
		}
		fmt.Fprintf(w, "%-44s %7.1f MB, %s %.1f MB; %s the target ≤ %s = %.1f MB\n",
			"berth peak RSS, "+r.name, peakMB, r.value, valueMB, verdict, rule, target)
	}
	return nil
}

var valueLine = regexp.MustCompile(`(?m)^value (\d+)$`)

// peakRSS runs `berth run path` and returns its peak RSS in KiB and the
// length the script printed. The kernel's figure for a waited child is the
// largest of it and its own waited children (the containers' processes,
// all small here), not their sum.
func peakRSS(ctx context.Context, o options, path string) (int64, int, error) {
	cmd := exec.CommandContext(ctx, o.berth, "--root", o.root, "run", path)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("%v:\n%s", err, out.String())
	}
	m := valueLine.FindStringSubmatch(out.String())
	if m == nil {
		return 0, 0, fmt.Errorf("no length printed:\n%s", out.String())
	}
	n, _ := strconv.Atoi(m[1])
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0, fmt.Errorf("no resource usage for %s", o.berth)
	}
	return ru.Maxrss, n, nil
}

// defaultBerth is bin/berth beside this binary, if it is there.
func defaultBerth() string {
	self, err := os.Executable()
	if err != nil {
		return ""
	}
	path := filepath.Join(filepath.Dir(self), "berth")
	if _, err := os.Stat(path); err != nil {
		return ""
	}
	return path
}
