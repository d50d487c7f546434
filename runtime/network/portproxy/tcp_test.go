package portproxy

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func tcpMapping(ip netip.Addr, port uint16) Mapping {
	return Mapping{Proto: ProtoTCP, HostIP: ip, HostPort: port, ContainerPort: 80}
}

func TestTCPEcho(t *testing.T) {
	p := startProxy(t, Config{}, tcpMapping(loopback, 0), tcpBackend(t, echo))
	c := dialTCP(t, loopback, p)

	// A round trip on an open connection, then one more after a half-close.
	if _, err := c.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 5)
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read echo: %v", err)
	}
	if string(got) != "hello" {
		t.Errorf("echo = %q, want %q", got, "hello")
	}
	if _, err := c.Write([]byte("bye")); err != nil {
		t.Fatal(err)
	}
	c.CloseWrite()
	rest, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("read to end: %v", err)
	}
	if string(rest) != "bye" {
		t.Errorf("echo after half-close = %q, want %q", rest, "bye")
	}
}

func TestTCPLargePayload(t *testing.T) {
	p := startProxy(t, Config{}, tcpMapping(loopback, 0), tcpBackend(t, echo))
	c := dialTCP(t, loopback, p)

	payload := make([]byte, 1<<20)
	rand.Read(payload)
	writeErr := make(chan error, 1)
	go func() {
		_, err := c.Write(payload)
		if err == nil {
			err = c.CloseWrite()
		}
		writeErr <- err
	}()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if err := <-writeErr; err != nil {
		t.Fatalf("write: %v", err)
	}
	if !bytes.Equal(got, payload) {
		t.Errorf("got %d bytes back, want the same %d bytes", len(got), len(payload))
	}
}

// The client shuts down its sending side: the backend must see EOF, and its
// reply, written after that, must still reach the client.
func TestTCPClientHalfClose(t *testing.T) {
	backend := tcpBackend(t, func(c *net.TCPConn) {
		req, err := io.ReadAll(c) // returns only at EOF
		if err != nil {
			return
		}
		fmt.Fprintf(c, "got %q", req)
	})
	p := startProxy(t, Config{}, tcpMapping(loopback, 0), backend)
	c := dialTCP(t, loopback, p)

	if _, err := c.Write([]byte("request")); err != nil {
		t.Fatal(err)
	}
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	reply, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("read reply: %v", err)
	}
	if want := `got "request"`; string(reply) != want {
		t.Errorf("reply = %q, want %q", reply, want)
	}
}

// The backend shuts down its sending side first: the client sees EOF and can
// still send, and the backend still receives.
func TestTCPBackendHalfClose(t *testing.T) {
	received := make(chan string, 1)
	backend := tcpBackend(t, func(c *net.TCPConn) {
		c.Write([]byte("banner"))
		c.CloseWrite()
		data, _ := io.ReadAll(c)
		received <- string(data)
	})
	p := startProxy(t, Config{}, tcpMapping(loopback, 0), backend)
	c := dialTCP(t, loopback, p)

	banner, err := io.ReadAll(c)
	if err != nil || string(banner) != "banner" {
		t.Fatalf("read banner = %q, %v; want %q", banner, err, "banner")
	}
	if _, err := c.Write([]byte("late")); err != nil {
		t.Fatalf("write after backend half-close: %v", err)
	}
	c.CloseWrite()
	select {
	case got := <-received:
		if got != "late" {
			t.Errorf("backend received %q, want %q", got, "late")
		}
	case <-time.After(hangGuard):
		t.Fatal("backend never saw the client's data and EOF")
	}
}

func TestTCPManyConnections(t *testing.T) {
	const clients = 64
	p := startProxy(t, Config{}, tcpMapping(loopback, 0), tcpBackend(t, echo))
	addr := net.TCPAddrFromAddrPort(netip.AddrPortFrom(loopback, p.HostAddr().Port()))

	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTCP("tcp", nil, addr)
			if err != nil {
				errs <- fmt.Errorf("client %d: dial: %w", i, err)
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(hangGuard))
			msg := strings.Repeat(fmt.Sprintf("client %d;", i), 1000)
			if _, err := c.Write([]byte(msg)); err != nil {
				errs <- fmt.Errorf("client %d: write: %w", i, err)
				return
			}
			c.CloseWrite()
			got, err := io.ReadAll(c)
			if err != nil {
				errs <- fmt.Errorf("client %d: read: %w", i, err)
				return
			}
			if string(got) != msg {
				errs <- fmt.Errorf("client %d: got %d bytes back, not its own %d", i, len(got), len(msg))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// With nothing listening in the container the client is closed at once
// (Docker's "empty reply"), not left hanging, and the failure is logged.
func TestTCPBackendDown(t *testing.T) {
	var (
		mu   sync.Mutex
		logs []string
	)
	cfg := Config{Logf: func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		logs = append(logs, fmt.Sprintf(format, args...))
	}}
	backend := deadPort(t)
	p := startProxy(t, cfg, tcpMapping(loopback, 0), backend)
	c := dialTCP(t, loopback, p)

	n, err := c.Read(make([]byte, 1))
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal("client connection was left open with the backend down")
	}
	if err == nil {
		t.Fatalf("read %d bytes from a proxy with no backend", n)
	}
	mu.Lock()
	defer mu.Unlock()
	want := fmt.Sprintf("port 127.0.0.1:%d->80/tcp: connect to backend %s", p.HostAddr().Port(), backend)
	if len(logs) != 1 || !strings.HasPrefix(logs[0], want) {
		t.Errorf("logs = %q, want one starting with %q", logs, want)
	}
}

// Close ends live connections on both sides.
func TestTCPCloseEndsConnections(t *testing.T) {
	backendDone := make(chan struct{})
	backend := tcpBackend(t, func(c *net.TCPConn) {
		defer close(backendDone)
		echo(c)
	})
	p, err := Start(tcpMapping(loopback, 0), backend)
	if err != nil {
		t.Fatal(err)
	}
	c := dialTCP(t, loopback, p)
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(c, make([]byte, 4)); err != nil {
		t.Fatalf("round trip before Close: %v", err)
	}

	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := c.Read(make([]byte, 1)); errors.Is(err, os.ErrDeadlineExceeded) || err == nil {
		t.Errorf("client read after Close = %v, want the connection ended", err)
	}
	select {
	case <-backendDone:
	case <-time.After(hangGuard):
		t.Fatal("backend connection still open after Close")
	}
}

func BenchmarkTCPRoundTrip(b *testing.B) {
	p := startProxy(b, Config{}, tcpMapping(loopback, 0), tcpBackend(b, echo))
	c := dialTCP(b, loopback, p)
	c.SetDeadline(time.Time{})
	msg := bytes.Repeat([]byte("x"), 64)
	buf := make([]byte, len(msg))
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, err := c.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
	}
}
