package backend_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"berth/runtime/backend"
	"berth/runtime/backend/fake"
)

func waitSetup(t *testing.T) (*fake.Backend, backend.Sandbox) {
	b := fake.New()
	sbs := backend.NewSandboxes(b)
	closeAll(t, sbs)
	b.SetProgram("quit", fake.Program{Stdout: "last words\n", ExitCode: 3})
	return b, newFile(t, sbs)
}

func TestWaitForLog(t *testing.T) {
	b, sb := waitSetup(t)
	b.SetProgram("serve", fake.Program{Runs: true, Stdout: "ready\nready\n"})
	c := mustRun(t, sb, named("web", "serve"))
	if err := backend.WaitForLog(ctx, c, regexp.MustCompile("^ready$"), 2, time.Hour); err != nil {
		t.Errorf("two lines there: %v", err)
	}
	// A line that comes while it waits.
	done := make(chan error, 1)
	go func() { done <- backend.WaitForLog(ctx, c, regexp.MustCompile("later"), 1, time.Hour) }()
	fakeOf(c).Log("stderr", "later\n")
	if err := <-done; err != nil {
		t.Errorf("a line logged while waiting: %v", err)
	}
	err := backend.WaitForLog(ctx, c, regexp.MustCompile("x"), 1, time.Nanosecond)
	wantErr(t, "timeout", err, "container web: log did not match \"x\" 1 time(s) within 1ns (seen 0)\nlast lines:\n  | ready\n  | ready\n  | later", backend.ErrTimeout)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := backend.WaitForLog(cctx, c, regexp.MustCompile("x"), 1, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	q := mustRun(t, sb, named("quitter", "quit"))
	err = backend.WaitForLog(ctx, q, regexp.MustCompile("never"), 1, time.Hour)
	want := "container quitter exited (code 3) before its log matched \"never\" (seen 0 of 1)\nlast lines:\n  | last words"
	if err == nil || err.Error() != want {
		t.Errorf("exited first: %v\nwant %s", err, want)
	}
}

func TestWaitForPort(t *testing.T) {
	b, sb := waitSetup(t)
	b.SetProgram("httpd", fake.Program{Runs: true, Listens: []int{8080}})
	c := mustRun(t, sb, named("web", "httpd"))
	if err := backend.WaitForPort(ctx, c, 8080, time.Hour); err != nil {
		t.Errorf("listening already: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- backend.WaitForPort(ctx, c, 9090, time.Hour) }()
	fakeOf(c).Listen(9090, true)
	if err := <-done; err != nil {
		t.Errorf("listening later: %v", err)
	}
	wantErr(t, "port", backend.WaitForPort(ctx, c, 70000, time.Hour), "invalid port 70000: want 1-65535", nil)
	err := backend.WaitForPort(ctx, c, 81, 0)
	wantErr(t, "timeout", err, "container web: nothing listens on port 81 after 0s\nlast lines:\n  (no output)", backend.ErrTimeout)
	q := mustRun(t, sb, named("quitter", "quit"))
	err = backend.WaitForPort(ctx, q, 80, time.Hour)
	want := "container quitter is exited (exit code 3) and will never listen on port 80\nlast lines:\n  | last words"
	if err == nil || err.Error() != want {
		t.Errorf("exited: %v\nwant %s", err, want)
	}
	broken := probeError{c}
	wantErr(t, "probe error", backend.WaitForPort(ctx, broken, 8080, time.Hour), "container web: port 8080: probe broke", nil)
}

// probeError is a container whose port probe fails.
type probeError struct{ backend.Container }

func (probeError) Listening(context.Context, int) (bool, error) {
	return false, errors.New("probe broke")
}

// noLogs is a container whose log cannot be read.
type noLogs struct{ backend.Container }

func (noLogs) Logs(context.Context, backend.LogOptions) (string, error) {
	return "", errors.New("log file gone")
}

func TestDiagnostics(t *testing.T) {
	b, sb := waitSetup(t)
	b.SetProgram("hog", fake.Program{OOMKilled: true, Stdout: "eating\n"})
	b.SetProgram("/nonexistent", fake.Program{NotFound: true})
	hog := mustRun(t, sb, named("hog", "hog"))
	missing, _ := sb.Run(ctx, named("nx", "/nonexistent"), backend.RunOptions{Detach: true})
	want := "container hog (" + hog.ID()[:12] + ", image busybox): exited, exit code 137, OOM-killed\n  | eating\n" +
		"container nx (" + missing.ID()[:12] + ", image busybox): created, exit code 127, error: exec: \"/nonexistent\": stat /nonexistent: no such file or directory\n  (no output)\n"
	if got := sb.Diagnostics(ctx); got != want {
		t.Errorf("Diagnostics:\n%s\nwant\n%s", got, want)
	}
	if got := backend.Describe(ctx, noLogs{hog}); got != "container hog ("+hog.ID()[:12]+", image busybox): exited, exit code 137, OOM-killed\n  (no logs: log file gone)\n" {
		t.Errorf("Describe without logs: %q", got)
	}
}
