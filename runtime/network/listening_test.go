package network

import (
	"net"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// Listening finds a listening socket of the namespace in the
// IPv4 and IPv6 tables, and not once it is closed. It reads the tables
// of this thread's namespace (/proc/TID/net): other tests of the package
// may leave the main thread in one of theirs.
func TestListening(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0"} {
		t.Run(addr, func(t *testing.T) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			tid := unix.Gettid()
			l, err := net.Listen("tcp", addr)
			if err != nil {
				t.Skipf("no %s here: %v", addr, err)
			}
			port := l.Addr().(*net.TCPAddr).Port
			if !Listening(tid, port) {
				t.Errorf("Listening(this thread, %d) = false with a listener open", port)
			}
			l.Close()
			if Listening(tid, port) {
				t.Errorf("Listening(this thread, %d) = true after the listener closed", port)
			}
		})
	}
}
