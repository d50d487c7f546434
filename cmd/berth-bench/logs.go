package main

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"berth/runtime/backend"
	"berth/runtime/spec"
)

// benchLogs is issue 12's throughput line, side by side: a container
// writing o.bigMB MB of 80-byte lines through json-file, detached, from
// run to exit, with berth and (when its daemon runs) Docker.
func benchLogs(ctx context.Context, o options, sb backend.Sandbox, w io.Writer) error {
	bytes := int64(o.bigMB) << 20
	script := "yes " + strings.Repeat("x", 79) + " | head -c " + strconv.FormatInt(bytes, 10)
	label := fmt.Sprintf("%d MB of 80-byte lines through json-file", o.bigMB)
	for _, driver := range []string{"none", "json-file"} {
		start := time.Now()
		c, err := sb.Run(ctx, spec.Container{Image: "busybox", Cmd: []string{"sh", "-c", script}, Log: spec.LogConfig{Type: driver}}, backend.RunOptions{Detach: true})
		if err != nil {
			return err
		}
		if _, err := c.Wait(ctx); err != nil {
			return err
		}
		took := time.Since(start)
		if err := c.Remove(ctx, backend.RemoveOptions{Force: true}); err != nil {
			return err
		}
		fmt.Fprintf(w, "%-44s %s\n", "berth, log driver "+driver, throughput(took, o.bigMB))
	}
	fmt.Fprintf(w, "%-44s %s\n", "docker run -d, "+label, dockerLogs(script, o.bigMB))
	return nil
}

func throughput(took time.Duration, mb int) string {
	return fmt.Sprintf("%.2f s  (%.1f MB/s)", took.Seconds(), float64(mb)/took.Seconds())
}

// dockerLogs runs the same container detached under Docker and times it
// from docker run to its exit (docker wait).
func dockerLogs(script string, mb int) string {
	if why := dockerUnavailable(); why != "" {
		return why
	}
	start := time.Now()
	out, err := exec.Command("docker", "run", "-d", "--network", "none", "--log-driver", "json-file", dockerRef, "sh", "-c", script).Output()
	if err != nil {
		return fmt.Sprintf("(docker run failed: %v)", err)
	}
	id := strings.TrimSpace(string(out))
	defer exec.Command("docker", "rm", "-f", id).Run()
	if out, err := exec.Command("docker", "wait", id).CombinedOutput(); err != nil {
		return fmt.Sprintf("(docker wait failed: %v: %s)", err, out)
	}
	return throughput(time.Since(start), mb)
}
