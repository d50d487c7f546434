package store

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// ProcessStartTime returns the start time of process pid in clock ticks
// since boot (field 22 of /proc/PID/stat). Together with the PID it names a
// process: a PID freed and reused by a new process would have to cycle
// through the whole PID space within one tick to look the same. If the process does not exist the error
// satisfies errors.Is(err, fs.ErrNotExist).
func ProcessStartTime(pid int) (uint64, error) {
	st, err := readProcStat(pid)
	if err != nil {
		return 0, err
	}
	return st.startTime, nil
}

// ProcessAlive reports whether process pid exists, has not exited (a zombie
// counts as dead) and started at startTime, i.e. is the same process an
// owner record was written for and not a newer one that reused the PID.
func ProcessAlive(pid int, startTime uint64) bool {
	if pid <= 0 {
		return false
	}
	st, err := readProcStat(pid)
	if err != nil {
		return false
	}
	return st.startTime == startTime && st.state != 'Z' && st.state != 'X'
}

type procStat struct {
	state     byte
	startTime uint64
}

func readProcStat(pid int) (procStat, error) {
	if pid <= 0 {
		return procStat{}, fmt.Errorf("read process %d: invalid pid, want a positive number", pid)
	}
	path := "/proc/" + strconv.Itoa(pid) + "/stat"
	data, err := os.ReadFile(path)
	if err != nil {
		return procStat{}, fmt.Errorf("read process %d: %w", pid, err)
	}
	st, err := parseProcStat(data)
	if err != nil {
		return procStat{}, fmt.Errorf("parse %s: %w", path, err)
	}
	return st, nil
}

// parseProcStat extracts the state (field 3) and start time (field 22) from
// the contents of /proc/PID/stat. The command name (field 2) is wrapped in
// parentheses and may itself contain spaces and parentheses, so fields are
// counted from the last ')'.
func parseProcStat(data []byte) (procStat, error) {
	end := bytes.LastIndexByte(data, ')')
	if end < 0 {
		return procStat{}, fmt.Errorf("no ')' after the command name in %q", data)
	}
	fields := bytes.Fields(data[end+1:])
	// fields[0] is field 3 (state), so field 22 is fields[19].
	const startTimeIndex = 22 - 3
	if len(fields) <= startTimeIndex || len(fields[0]) != 1 {
		return procStat{}, fmt.Errorf("want at least 22 fields in %q", data)
	}
	start, err := strconv.ParseUint(string(fields[startTimeIndex]), 10, 64)
	if err != nil {
		return procStat{}, fmt.Errorf("start time: %w", err)
	}
	return procStat{state: fields[0][0], startTime: start}, nil
}

// ProcessStartTimeAt is ProcessStartTime for the process whose /proc/PID
// directory is open as dir. The descriptor names that one process even
// after its PID is reused, so this proves which process dir belongs to.
func ProcessStartTimeAt(dir *os.File) (uint64, error) {
	fd, err := unix.Openat(int(dir.Fd()), "stat", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("read %s/stat: %w", dir.Name(), err)
	}
	f := os.NewFile(uintptr(fd), dir.Name()+"/stat")
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", f.Name(), err)
	}
	st, err := parseProcStat(data)
	if err != nil {
		return 0, fmt.Errorf("parse %s: %w", f.Name(), err)
	}
	return st.startTime, nil
}
