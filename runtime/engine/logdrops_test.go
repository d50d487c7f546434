package engine

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"berth/runtime/backend"
	"berth/runtime/logdriver"
	"berth/runtime/spec"
)

// stalledDriver is a receiver that never takes a message: Log blocks
// until Close, as a write to a stalled TCP peer does until the connection
// is closed.
type stalledDriver struct {
	closed chan struct{}
	once   sync.Once
}

func (d *stalledDriver) Name() string { return "stalled" }
func (d *stalledDriver) Log(*logdriver.Message) error {
	<-d.closed
	return errIfClosed
}
func (d *stalledDriver) Close() error { d.once.Do(func() { close(d.closed) }); return nil }

var errIfClosed = errorString("connection closed")

type errorString string

func (e errorString) Error() string { return string(e) }

// withLogDrivers makes the test engine use r until the test ends: the
// registry is injected as engine.Options.LogDrivers would.
func withLogDrivers(t *testing.T, r *logdriver.Registry) {
	old := testEngine.logs
	testEngine.logs = r
	t.Cleanup(func() { testEngine.logs = old })
}

// A container logging through a stalled receiver in non-blocking mode
// neither blocks nor loses a line silently: it runs to its end, its stop
// takes the flush bound, every line is counted in log_drops (State,
// inspect, failure report), and logs() still has every line from the
// local copy.
func TestNonBlockingStalledReceiver(t *testing.T) {
	sb := sandbox(t)
	reg := logdriver.Builtin()
	reg.FlushTimeout = 300 * time.Millisecond
	if err := reg.Register(logdriver.Factory{
		Name: "stalled", Readback: logdriver.ReadbackLocalCopy,
		New: func(logdriver.Info) (logdriver.Driver, error) {
			return &stalledDriver{closed: make(chan struct{})}, nil
		},
	}); err != nil {
		t.Fatal(err)
	}
	withLogDrivers(t, reg)
	const lines = 2000
	c, err := sb.Create(ctx(t), spec.Container{Name: "talker", Image: "busybox",
		Cmd: []string{"sh", "-c", "i=0; while [ $i -lt " + strconv.Itoa(lines) + " ]; do echo line $i; i=$((i+1)); done"},
		Log: spec.LogConfig{Type: "stalled", Config: map[string]string{"mode": "non-blocking", "max-buffer-size": "1k"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx(t), backend.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	if code, err := c.Wait(ctx(t)); err != nil || code != 0 {
		t.Fatalf("wait: %d, %v", code, err)
	}
	st := c.State()
	if st.LogDrops != lines {
		t.Errorf("log_drops %d, want all %d lines (the receiver took none)", st.LogDrops, lines)
	}
	if !strings.Contains(st.Error, "log messages") || !strings.Contains(st.Error, "dropped") {
		t.Errorf("state error %q does not report the drops", st.Error)
	}
	if got := inspect(t, c)["State"].(map[string]any)["LogDrops"]; got != st.LogDrops {
		t.Errorf("inspect State.LogDrops %v, want %d", got, st.LogDrops)
	}
	if d := sb.Diagnostics(ctx(t)); !strings.Contains(d, "log_drops "+strconv.Itoa(lines)) {
		t.Errorf("the failure report does not show the drops:\n%s", d)
	}
	out, err := c.Logs(ctx(t), backend.LogOptions{Tail: -1, Stdout: true, Stderr: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out, "line "); n != lines {
		t.Errorf("the local copy has %d lines, want %d", n, lines)
	}
}

// Bad log options are refused before anything is created.
func TestLogOptionsRefusedAtCreate(t *testing.T) {
	sb := sandbox(t)
	for _, tt := range []struct {
		log  spec.LogConfig
		want string
	}{
		{spec.LogConfig{Type: "bogus"}, `unknown log driver "bogus"`},
		{spec.LogConfig{Config: map[string]string{"mode": "fast"}}, "invalid log opt mode 'fast'"},
		{spec.LogConfig{Config: map[string]string{"mode": "non-blocking", "max-buffer-size": "x"}}, "error parsing option max-buffer-size"},
	} {
		_, err := sb.Create(ctx(t), spec.Container{Name: "refused", Image: "busybox", Log: tt.log})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("create with %+v: %v, want %q", tt.log, err, tt.want)
		}
	}
	if _, err := sb.Create(ctx(t), spec.Container{Name: "refused", Image: "busybox"}); err != nil {
		t.Errorf("the name is still taken after refusals: %v", err)
	}
}
