package enginetest

import (
	"bytes"
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// idWatch records the names created in the engine's containers directory:
// the id of every container the engine made, even one removed since. The
// kernel queues the events, so nothing needs to read them until asked.
type idWatch struct {
	fd       int
	ids      map[string]bool
	overflow bool // the kernel dropped events: the set is incomplete
}

func watchIDs(dir string) (*idWatch, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("inotify: %w", err)
	}
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_CREATE|unix.IN_MOVED_TO); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("watch %s: %w", dir, err)
	}
	return &idWatch{fd: fd, ids: map[string]bool{}}, nil
}

// created drains the queued events and returns every id seen so far, and
// whether the set is complete.
func (w *idWatch) created() (map[string]bool, bool, error) {
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.Read(w.fd, buf)
		if errors.Is(err, unix.EAGAIN) {
			return w.ids, !w.overflow, nil
		}
		if err != nil {
			return w.ids, false, fmt.Errorf("read inotify events: %w", err)
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			nameStart := off + unix.SizeofInotifyEvent
			name := buf[nameStart : nameStart+int(ev.Len)]
			if ev.Mask&unix.IN_Q_OVERFLOW != 0 {
				w.overflow = true
			}
			if id := string(bytes.TrimRight(name, "\x00")); id != "" {
				w.ids[id] = true
			}
			off = nameStart + int(ev.Len)
		}
	}
}

func (w *idWatch) close() { unix.Close(w.fd) }
