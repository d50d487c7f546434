package engine

import (
	"berth/runtime/backend"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"berth/runtime/spec"
)

// A container controls its /etc/passwd: made a FIFO, it must fail the
// user lookup of a start or an exec, not block it (and, for a start, the
// container's lock) forever.
func TestUserLookupRefusesAFIFOPasswd(t *testing.T) {
	sb := sandbox(t)
	c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"sh", "-c",
		"rm /etc/passwd && mkfifo /etc/passwd && echo ready && exec sleep 1000"}}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := backend.WaitForLog(ctx(t), c, regexp.MustCompile("^ready$"), 1, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(engineOf(c).rootfs, "etc", "passwd")
	lookups := []struct {
		name string
		do   func() error
	}{
		{"exec", func() error {
			_, err := c.Exec(ctx(t), backend.ExecOptions{Cmd: []string{"true"}, User: "nobody"})
			return err
		}},
		{"start", func() error {
			if err := c.Kill(ctx(t), unix.SIGKILL); err != nil {
				return err
			}
			return c.Start(ctx(t), backend.StartOptions{})
		}},
	}
	for _, l := range lookups {
		done := make(chan error, 1)
		go func() { done <- l.do() }()
		var err error
		select {
		case err = <-done:
		case <-time.After(time.Minute):
			// Open the FIFO's other end, so the blocked open returns
			// and the sandbox can be closed.
			if w, err := os.OpenFile(fifo, os.O_WRONLY|unix.O_NONBLOCK, 0); err == nil {
				w.Close()
			}
			t.Fatalf("%s: the user lookup blocked on the FIFO", l.name)
		}
		if err == nil || !strings.Contains(err.Error(), "/etc/passwd in the container is not a regular file") {
			t.Errorf("%s: got %v, want /etc/passwd ... is not a regular file", l.name, err)
		}
	}
}
