package fake_test

import (
	"context"
	"errors"
	"io/fs"
	"regexp"
	"testing"
	"time"

	"berth/runtime/backend"
	"berth/runtime/backend/fake"
)

func TestLogsOptions(t *testing.T) {
	b, sb := setup(t)
	b.SetProgram("talk", fake.Program{Runs: true, Stdout: "a\nb\n", Stderr: "e\n"})
	c := run(t, sb, busybox("talk"))
	c.Log("stdout", "c\n")
	tests := []struct {
		opts backend.LogOptions
		want string
	}{
		{backend.LogOptions{Tail: -1, Stdout: true, Stderr: true}, "a\nb\ne\nc\n"},
		{backend.LogOptions{Tail: 2, Stdout: true, Stderr: true}, "e\nc\n"},
		{backend.LogOptions{Tail: 0, Stdout: true, Stderr: true}, ""},
		{backend.LogOptions{Tail: -1, Stdout: true}, "a\nb\nc\n"},
		{backend.LogOptions{Tail: -1, Stderr: true}, "e\n"},
		{backend.LogOptions{Tail: -1, Stdout: true, Stderr: true, Since: time.Now().Add(time.Hour)}, ""},
		{backend.LogOptions{Tail: -1, Stdout: true, Stderr: true, Until: time.Now().Add(-time.Hour)}, ""},
	}
	for _, tt := range tests {
		if got, err := c.Logs(ctx, tt.opts); err != nil || got != tt.want {
			t.Errorf("Logs(%+v) = %q, %v; want %q", tt.opts, got, err, tt.want)
		}
	}
	stamped, _ := c.Logs(ctx, backend.LogOptions{Tail: 1, Stdout: true, Timestamps: true})
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z c\n$`).MatchString(stamped) {
		t.Errorf("timestamped log = %q", stamped)
	}
}

func TestFollowLogs(t *testing.T) {
	b, sb := setup(t)
	b.SetProgram("talk", fake.Program{Runs: true, Stdout: "first\n"})
	c := run(t, sb, busybox("talk"))
	got := make(chan string, 10)
	done := make(chan error, 1)
	go func() {
		done <- c.FollowLogs(ctx, backend.LogOptions{Tail: -1, Stdout: true, Stderr: true}, func(m backend.LogMessage) error {
			got <- string(m.Line)
			return nil
		})
	}()
	if line := <-got; line != "first" {
		t.Fatalf("first line %q", line)
	}
	c.Log("stderr", "second\n")
	if line := <-got; line != "second" {
		t.Fatalf("second line %q", line)
	}
	c.Exit(0)
	if err := <-done; err != nil {
		t.Errorf("FollowLogs after the exit: %v", err)
	}
	// A stopped container's log is read once.
	n := 0
	err := c.FollowLogs(ctx, backend.LogOptions{Tail: -1, Stdout: true, Stderr: true}, func(backend.LogMessage) error { n++; return nil })
	if err != nil || n != 2 {
		t.Errorf("FollowLogs of an exited container: %d lines, %v", n, err)
	}
	stop := errors.New("stop")
	if err := c.FollowLogs(ctx, backend.LogOptions{Tail: -1, Stdout: true}, func(backend.LogMessage) error { return stop }); err != stop {
		t.Errorf("fn's error came back as %v", err)
	}
}

func TestFollowLogsEndsWithItsContext(t *testing.T) {
	_, sb := setup(t)
	c := run(t, sb, busybox("quiet"))
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := c.FollowLogs(cctx, backend.LogOptions{Tail: -1, Stdout: true}, func(backend.LogMessage) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("FollowLogs with a cancelled context: %v", err)
	}
}

func TestListening(t *testing.T) {
	b, sb := setup(t)
	b.SetProgram("httpd", fake.Program{Runs: true, Listens: []int{8080}})
	c := run(t, sb, busybox("httpd"))
	for port, want := range map[int]bool{8080: true, 81: false} {
		if got, err := c.Listening(ctx, port); got != want || err != nil {
			t.Errorf("Listening(%d) = %v, %v", port, got, err)
		}
	}
	c.Listen(81, true)
	c.Exit(0)
	if got, _ := c.Listening(ctx, 8080); got {
		t.Errorf("an exited container listens")
	}
}

func TestFiles(t *testing.T) {
	_, sb := setup(t)
	c := run(t, sb, busybox("sleep", "3600"))
	if err := c.WriteFile(ctx, "/data/in.txt", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if data, err := c.ReadFile(ctx, "/data/../data/in.txt"); err != nil || string(data) != "hello" {
		t.Errorf("ReadFile = %q, %v", data, err)
	}
	_, err := c.ReadFile(ctx, "/no/such")
	wantError(t, "missing", err, "read /no/such from container "+c.Name()+": no such file or directory", fs.ErrNotExist)
	_, err = c.ReadFile(ctx, "/data")
	wantError(t, "directory", err, "read /data from container "+c.Name()+": is a directory", nil)
	_, err = c.ReadFile(ctx, "relative")
	wantError(t, "relative", err, `path "relative": want an absolute path inside the container`, nil)
	wantError(t, "under a file", c.WriteFile(ctx, "/data/in.txt/x", nil), "not a directory", nil)

	cs := busybox("sleep", "3600")
	cs.ReadOnly = true
	ro := run(t, sb, cs)
	wantError(t, "read-only", ro.WriteFile(ctx, "/x", []byte("y")), "write /x to container "+ro.Name()+": read-only file system", nil)
}
