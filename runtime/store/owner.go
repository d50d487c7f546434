package store

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Owner names a process for an owner record: its PID and start time, so
// that a PID reused by a newer process does not pass for the owner.
type Owner struct {
	Pid       int    `json:"pid"`
	StartTime uint64 `json:"start_time"`
}

// Self is the calling process as an owner.
func Self() (Owner, error) {
	pid := os.Getpid()
	start, err := ProcessStartTime(pid)
	if err != nil {
		return Owner{}, fmt.Errorf("identify this process: %w", err)
	}
	return Owner{Pid: pid, StartTime: start}, nil
}

// Alive reports whether the owner still runs (see ProcessAlive).
func (o Owner) Alive() bool { return ProcessAlive(o.Pid, o.StartTime) }

// String is the owner's tag, "PID:STARTTIME", as ParseOwner reads it.
func (o Owner) String() string { return fmt.Sprintf("%d:%d", o.Pid, o.StartTime) }

// ParseOwner reads a tag written by Owner.String.
func ParseOwner(tag string) (Owner, error) {
	pid, start, ok := strings.Cut(tag, ":")
	p, err1 := strconv.Atoi(pid)
	st, err2 := strconv.ParseUint(start, 10, 64)
	if !ok || err1 != nil || err2 != nil || p <= 0 {
		return Owner{}, fmt.Errorf("owner %q: want PID:STARTTIME, e.g. 1234:5678", tag)
	}
	return Owner{Pid: p, StartTime: st}, nil
}
