package network

import (
	"net"
	"os"
	"testing"
)

// Listening finds a listening socket of the process's namespace in the
// IPv4 and IPv6 tables, and not once it is closed.
func TestListening(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0"} {
		t.Run(addr, func(t *testing.T) {
			l, err := net.Listen("tcp", addr)
			if err != nil {
				t.Skipf("no %s here: %v", addr, err)
			}
			port := l.Addr().(*net.TCPAddr).Port
			if !Listening(os.Getpid(), port) {
				t.Errorf("Listening(self, %d) = false with a listener open", port)
			}
			l.Close()
			if Listening(os.Getpid(), port) {
				t.Errorf("Listening(self, %d) = true after the listener closed", port)
			}
		})
	}
}
