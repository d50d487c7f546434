package fsroot

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"

	"berth/runtime/store"
)

// OpenProcessRoot opens /proc/PID/root of the process pid that started at
// start (store.ProcessStartTime), or returns nil when that process is gone.
// An open /proc/PID directory names one process for good, so checking its
// start time proves that the root is that process's and not that of one
// that reused the PID after it exited.
func OpenProcessRoot(pid int, start uint64) *Root {
	if pid <= 0 {
		return nil
	}
	proc, err := os.OpenFile("/proc/"+strconv.Itoa(pid), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil // exited
	}
	defer proc.Close()
	fd, err := unix.Openat(int(proc.Fd()), "root", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	root := os.NewFile(uintptr(fd), "/proc/"+strconv.Itoa(pid)+"/root")
	if got, err := store.ProcessStartTimeAt(proc); err != nil || got != start {
		root.Close()
		return nil
	}
	return New(root)
}

// UnwrapPath drops the path from an error: the user named a path inside
// the container, and the host's would mean nothing to them.
func UnwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
