package logdriver

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

func TestAfterRunError(t *testing.T) {
	lost := LossReport{Messages: 2, Bytes: 10, Err: errors.New("disk full")}
	tests := []struct {
		name   string
		report LossReport
		runErr string
		want   string
	}{
		{"nothing", LossReport{}, "", ""},
		{"run error only", LossReport{}, "exec failed", "exec failed"},
		{"loss only", lost, "", "2 log messages (10 bytes) lost: disk full"},
		{"both, run error first", lost, "exec failed", "exec failed; 2 log messages (10 bytes) lost: disk full"},
	}
	for _, tt := range tests {
		if got := tt.report.AfterRunError(tt.runErr); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// CloseAtEnd closes the pipe once the copier has read its end.
func TestCloseAtEnd(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.WriteString("hello\n")
	w.Close()
	got, err := io.ReadAll(CloseAtEnd(r))
	if err != nil || string(got) != "hello\n" {
		t.Fatalf("read %q, %v; want \"hello\\n\"", got, err)
	}
	if err := r.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("the read end is still open after the end was read (close: %v)", err)
	}
}

type closeFailing struct{ noneDriver }

func (closeFailing) Close() error { return errors.New("flush failed") }

// CloseRun waits for the copiers, detaches the driver (later messages are
// counted as lost, not written) and reports a driver that failed to close.
func TestCloseRun(t *testing.T) {
	sink := &scriptedSink{}
	g := NewLossGuard(nil)
	g.Attach(sink.log)
	cp := NewCopier("stdout", strings.NewReader("one\ntwo\n"), g.Log)
	err := g.CloseRun([]*Copier{cp}, closeFailing{})
	if err == nil || err.Error() != "close none log: flush failed" {
		t.Errorf("CloseRun = %v, want the driver's close error", err)
	}
	if strings.Join(sink.got, ",") != "stdout:one,stdout:two" {
		t.Errorf("logged %q before CloseRun returned, want both lines", sink.got)
	}
	m := msg("stdout", "late")
	g.Log(&m)
	if r := g.Report(); r.Messages != 1 || len(sink.got) != 2 {
		t.Errorf("after CloseRun a message reached the driver (logged %q, report %+v)", sink.got, r)
	}
}
