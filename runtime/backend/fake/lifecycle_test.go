package fake_test

import (
	"context"
	"errors"
	"syscall"
	"testing"

	"berth/runtime/backend"
	"berth/runtime/backend/fake"
)

func TestForegroundRunKeepsItsOutput(t *testing.T) {
	b, sb := setup(t)
	b.SetProgram("sh -c talk", fake.Program{Stdout: "out\n", Stderr: "err\n", ExitCode: 3})
	c, err := sb.Run(ctx, busybox("sh", "-c", "talk"), backend.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, c, backend.StatusExited, 3)
	out, ok := c.ForegroundOutput()
	if !ok || out.Stdout != "out\n" || out.Stderr != "err\n" || out.Output != "out\nerr\n" {
		t.Errorf("ForegroundOutput = %+v, %v", out, ok)
	}
	if logs, _ := c.Logs(ctx, backend.LogOptions{Tail: -1, Stdout: true, Stderr: true}); logs != "out\nerr\n" {
		t.Errorf("Logs = %q", logs)
	}
	// A later start does not capture: its output is in the logs only.
	if err := c.Restart(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.ForegroundOutput(); ok {
		t.Errorf("a restarted container still has a foreground output")
	}
}

func TestUnscriptedProgramsRunUntilStopped(t *testing.T) {
	_, sb := setup(t)
	c := run(t, sb, busybox("sleep", "3600"))
	st := c.State()
	if st.Status != backend.StatusRunning || st.Pid == 0 || st.StartedAt.IsZero() {
		t.Fatalf("state = %+v", st)
	}
	if _, ok := c.ForegroundOutput(); ok {
		t.Errorf("a detached container has a foreground output")
	}
	if err := c.Stop(ctx, 0); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, c, backend.StatusExited, 137) // no TERM handler: killed
	if code, err := c.Wait(ctx); code != 137 || err != nil {
		t.Errorf("Wait = %d, %v", code, err)
	}
	if err := c.Stop(ctx, 0); err != nil {
		t.Errorf("stopping a stopped container: %v", err)
	}
}

func TestSignalsGoToTrapsAndOthersAreIgnored(t *testing.T) {
	b, sb := setup(t)
	b.SetProgram("server", fake.Program{Runs: true, Traps: map[syscall.Signal]int{syscall.SIGUSR1: 9, syscall.SIGTERM: 0}})
	c := run(t, sb, busybox("server"))
	if err := c.Kill(ctx, syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, c, backend.StatusRunning, 0)
	if err := c.Kill(ctx, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, c, backend.StatusExited, 9)
	if err := c.Start(ctx, backend.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(ctx, 0); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, c, backend.StatusExited, 0)
}

func TestExitAndOOM(t *testing.T) {
	b, sb := setup(t)
	b.SetProgram("hog", fake.Program{OOMKilled: true})
	c := run(t, sb, busybox("hog"))
	if st := c.State(); st.ExitCode != 137 || !st.OOMKilled {
		t.Errorf("OOM state = %+v", st)
	}
	d := run(t, sb, busybox("sleep", "1"))
	d.Exit(4)
	wantStatus(t, d, backend.StatusExited, 4)
	if d.State().FinishedAt.Before(d.State().StartedAt) {
		t.Errorf("finished before it started: %+v", d.State())
	}
}

func TestStateMachineTexts(t *testing.T) {
	_, sb := setup(t)
	live := run(t, sb, busybox("sleep", "3600"))
	created, err := sb.Create(ctx, busybox("true"))
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, "rm running", live.Remove(ctx, backend.RemoveOptions{}),
		"You cannot remove a running container "+live.ID()+". Stop the container before attempting removal or force remove", nil)
	wantError(t, "kill created", created.Kill(ctx, syscall.SIGKILL),
		"Cannot kill container: "+created.Name()+": Container "+created.ID()+" is not running", backend.ErrNotRunning)
	_, err = created.Exec(ctx, backend.ExecOptions{Cmd: []string{"true"}})
	wantError(t, "exec created", err, "Container "+created.ID()+" is not running", backend.ErrNotRunning)
	if err := created.Remove(ctx, backend.RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, created, backend.StatusRemoved, 0)
	wantError(t, "start removed", created.Start(ctx, backend.StartOptions{}), "container "+created.ID()+" is marked for removal and cannot be used", nil)
	_, err = created.ReadFile(ctx, "/etc/passwd")
	wantError(t, "read removed", err, "No such container: "+created.Name()+" (it was removed)", backend.ErrNoSuchContainer)
	_, err = created.Inspect(ctx)
	wantError(t, "inspect removed", err, "(it was removed)", backend.ErrNoSuchContainer)
	if err := created.Remove(ctx, backend.RemoveOptions{}); err != nil {
		t.Errorf("removing twice: %v", err)
	}
	if err := live.Remove(ctx, backend.RemoveOptions{Force: true}); err != nil {
		t.Errorf("force remove: %v", err)
	}
	if _, err := sb.Lookup(live.Name()); !errors.Is(err, backend.ErrNoSuchContainer) {
		t.Errorf("a removed container is still found: %v", err)
	}
}

func TestMissingExecutableLeavesACreatedContainer(t *testing.T) {
	b, sb := setup(t)
	for prog, want := range map[string]string{
		"/nonexistent":  `exec: "/nonexistent": stat /nonexistent: no such file or directory`,
		"nosuchprogram": `exec: "nosuchprogram": executable file not found in $PATH`,
	} {
		b.SetProgram(prog, fake.Program{NotFound: true})
		c, err := sb.Run(ctx, busybox(prog), backend.RunOptions{})
		wantError(t, prog, err, "container "+c.Name()+": "+want, nil)
		wantStatus(t, c, backend.StatusCreated, 127)
		if c.State().Error != want {
			t.Errorf("%s: State.Error = %q", prog, c.State().Error)
		}
	}
}

func TestJoiningAStoppedContainerFails(t *testing.T) {
	_, sb := setup(t)
	db := run(t, sb, busybox("db"))
	c, err := sb.Create(ctx, busybox("client"))
	if err != nil {
		t.Fatal(err)
	}
	cs := busybox("side")
	cs.Network = "container:" + db.Name()
	side, err := sb.Create(ctx, cs)
	if err != nil {
		t.Fatal(err)
	}
	if side.Hostname() != db.Hostname() || c.Hostname() != c.ID()[:12] {
		t.Errorf("hostnames: side %q (db %q), client %q", side.Hostname(), db.Hostname(), c.Hostname())
	}
	db.Exit(0)
	wantError(t, "join", side.Start(ctx, backend.StartOptions{}), "cannot join network of a non running container: "+db.ID(), backend.ErrNotRunning)
	wantStatus(t, side, backend.StatusCreated, 128)
}

func TestWaitEndsWithItsContext(t *testing.T) {
	_, sb := setup(t)
	c := run(t, sb, busybox("sleep", "3600"))
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Wait(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with a cancelled context: %v", err)
	}
}

func TestExecIsScripted(t *testing.T) {
	b, sb := setup(t)
	c := run(t, sb, busybox("sleep", "3600"))
	b.SetExec("cat /x", backend.ExecResult{ExitCode: 1, Stderr: "no\n", Output: "no\n"})
	b.SetExecError("id -u nobody", errors.New("unable to find user nobody"))
	if r, err := c.Exec(ctx, backend.ExecOptions{Cmd: []string{"cat", "/x"}}); err != nil || r.ExitCode != 1 || r.Stderr != "no\n" {
		t.Errorf("Exec = %+v, %v", r, err)
	}
	_, err := c.Exec(ctx, backend.ExecOptions{Cmd: []string{"id", "-u", "nobody"}})
	wantError(t, "scripted error", err, "unable to find user nobody", nil)
	_, err = c.Exec(ctx, backend.ExecOptions{Cmd: []string{"ls"}})
	wantError(t, "unscripted", err, `fake: no result scripted for exec ["ls"] (Backend.SetExec scripts one)`, nil)
	_, err = c.Exec(ctx, backend.ExecOptions{})
	wantError(t, "no command", err, "exec: no command given: want a command string or a list of arguments", nil)
}
