package store

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseProcStat(t *testing.T) {
	// Fields 4 to 23 as the kernel writes them; field 22 is 123456.
	tail := " 1 42 42 0 -1 4194560 100 0 0 0 2 3 0 0 20 0 1 0 123456 1000 10 18446744073709551615\n"
	tests := []struct {
		name      string
		in        string
		wantState byte
		wantStart uint64
		wantErr   string
	}{
		{name: "plain", in: "42 (sleep) S" + tail, wantState: 'S', wantStart: 123456},
		{name: "spaces and parens in comm", in: "42 (a) b (c) Z" + tail, wantState: 'Z', wantStart: 123456},
		{name: "empty comm", in: "42 () R" + tail, wantState: 'R', wantStart: 123456},
		{name: "no comm", in: "42 sleep S" + tail, wantErr: "no ')'"},
		{name: "too few fields", in: "42 (sleep) S 1 1 0", wantErr: "want at least 22 fields"},
		{name: "bad start time", in: "42 (x) S 1 42 42 0 -1 4194560 100 0 0 0 2 3 0 0 20 0 1 0 -5 1000", wantErr: "start time"},
		{name: "empty", in: "", wantErr: "no ')'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseProcStat([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v; want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.state != tt.wantState || got.startTime != tt.wantStart {
				t.Errorf("got state %c start %d; want %c %d", got.state, got.startTime, tt.wantState, tt.wantStart)
			}
		})
	}
}

func TestProcessStartTimeSelf(t *testing.T) {
	start, err := ProcessStartTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if start == 0 {
		t.Fatal("start time 0 for the test process")
	}
	// PID 1 started no later than we did.
	initStart, err := ProcessStartTime(1)
	if err != nil {
		t.Fatal(err)
	}
	if initStart > start {
		t.Errorf("init started at %d, after this process (%d)", initStart, start)
	}
	if !ProcessAlive(os.Getpid(), start) {
		t.Error("ProcessAlive(self) = false")
	}
	if ProcessAlive(os.Getpid(), start+1) {
		t.Error("ProcessAlive with the wrong start time = true")
	}
}

func TestProcessStartTimeErrors(t *testing.T) {
	for _, pid := range []int{0, -1} {
		if _, err := ProcessStartTime(pid); err == nil {
			t.Errorf("ProcessStartTime(%d) succeeded", pid)
		}
		if ProcessAlive(pid, 0) {
			t.Errorf("ProcessAlive(%d, 0) = true", pid)
		}
	}
	// The kernel never hands out PIDs above pid_max (at most 2^22).
	const noSuchPID = 1 << 30
	if _, err := ProcessStartTime(noSuchPID); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing process: err = %v; want fs.ErrNotExist", err)
	}
	if ProcessAlive(noSuchPID, 0) {
		t.Error("ProcessAlive of a missing process = true")
	}
}

// TestProcessAliveLifecycle follows a child through running, zombie and
// reaped, which is what an owner record sees when its owner dies.
func TestProcessAliveLifecycle(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start sleep: %v", err)
	}
	pid := cmd.Process.Pid
	reaped := false
	t.Cleanup(func() {
		if !reaped {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})

	start, err := ProcessStartTime(pid)
	if err != nil {
		t.Fatal(err)
	}
	if !ProcessAlive(pid, start) {
		t.Fatal("running child not alive")
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	// Wait for the exit without reaping, leaving a zombie.
	var info unix.Siginfo
	if err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil); err != nil {
		t.Fatal(err)
	}
	if ProcessAlive(pid, start) {
		t.Error("zombie child reported alive")
	}

	cmd.Wait()
	reaped = true
	if ProcessAlive(pid, start) {
		t.Error("reaped child reported alive")
	}
}

// An open /proc/PID directory keeps naming its process: once that process
// is gone, reading through it fails instead of reading a newer process
// that got the PID.
func TestProcessStartTimeAt(t *testing.T) {
	cmd := exec.Command("sleep", "1000")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	dir, err := os.OpenFile("/proc/"+strconv.Itoa(pid), unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	want, err := ProcessStartTime(pid)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ProcessStartTimeAt(dir); err != nil || got != want {
		t.Errorf("ProcessStartTimeAt = %d, %v; want %d", got, err, want)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if got, err := ProcessStartTimeAt(dir); err == nil {
		t.Errorf("ProcessStartTimeAt of a reaped process = %d, want an error", got)
	}
}
