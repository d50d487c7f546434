package portproxy

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	loopback  = netip.MustParseAddr("127.0.0.1")
	loopback2 = netip.MustParseAddr("127.0.0.2") // also on lo: Linux routes all of 127/8 there
)

// hangGuard bounds every blocking test I/O so a bug fails the test instead of
// hanging it; it is not a timing assertion.
const hangGuard = 30 * time.Second

// TestMain fails the run if any proxy goroutine outlived the tests: every
// test closes its proxies, and Close must wait for all of them.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		deadline := time.Now().Add(hangGuard)
		for len(proxyGoroutines()) > 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if left := proxyGoroutines(); len(left) > 0 {
			fmt.Fprintf(os.Stderr, "proxy goroutines left after all tests:\n%s\n", strings.Join(left, "\n\n"))
			code = 1
		}
	}
	os.Exit(code)
}

// proxyGoroutines lists the stacks of running goroutines that run a method
// of Proxy (every goroutine the package starts does).
func proxyGoroutines() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "portproxy.(*Proxy)") {
			out = append(out, g)
		}
	}
	return out
}

// startProxy starts a proxy that is closed when the test ends.
func startProxy(t testing.TB, cfg Config, m Mapping, backend netip.AddrPort) *Proxy {
	t.Helper()
	p, err := cfg.Start(m, backend)
	if err != nil {
		t.Fatalf("Start(%v, %v): %v", m, backend, err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return p
}

// tcpBackend serves TCP on 127.0.0.1, handing each connection to handle in
// its own goroutine. At cleanup it closes everything and waits for handle.
func tcpBackend(t testing.TB, handle func(*net.TCPConn)) netip.AddrPort {
	t.Helper()
	ln, err := net.ListenTCP("tcp4", net.TCPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		t.Fatalf("backend listen: %v", err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns = map[*net.TCPConn]struct{}{}
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.AcceptTCP()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = struct{}{}
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().(*net.TCPAddr).AddrPort()
}

// echo sends back everything it reads, then half-closes.
func echo(c *net.TCPConn) {
	// MultiWriter hides c's ReadFrom, which would splice c into itself.
	if _, err := io.Copy(io.MultiWriter(c), c); err == nil {
		c.CloseWrite()
	}
}

// udpEchoBackend answers each datagram with "payload|sender", so a test can
// tell which backend-side socket (which session) a datagram came through.
func udpEchoBackend(t testing.TB) netip.AddrPort {
	t.Helper()
	conn, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		t.Fatalf("backend listen: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, maxDatagram)
		for {
			n, from, err := conn.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			reply := fmt.Sprintf("%s|%s", buf[:n], from)
			conn.WriteToUDPAddrPort([]byte(reply), from)
		}
	}()
	t.Cleanup(func() {
		conn.Close()
		<-done
	})
	return conn.LocalAddr().(*net.UDPAddr).AddrPort()
}

// deadPort is a loopback address where nothing listens: a port the kernel
// just handed out and that was released at once.
func deadPort(t testing.TB) netip.AddrPort {
	t.Helper()
	ln, err := net.ListenTCP("tcp4", net.TCPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := ln.Addr().(*net.TCPAddr).AddrPort()
	ln.Close()
	return addr
}

// dialTCP connects to the proxy's port at ip.
func dialTCP(t testing.TB, ip netip.Addr, p *Proxy) *net.TCPConn {
	t.Helper()
	c, err := net.DialTCP("tcp", nil, net.TCPAddrFromAddrPort(netip.AddrPortFrom(ip, p.HostAddr().Port())))
	if err != nil {
		t.Fatalf("dial proxy: %v", err)
	}
	c.SetDeadline(time.Now().Add(hangGuard))
	t.Cleanup(func() { c.Close() })
	return c
}

// dialUDP opens a UDP socket connected to the proxy's port at ip.
func dialUDP(t testing.TB, ip netip.Addr, p *Proxy) *net.UDPConn {
	t.Helper()
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, p.HostAddr().Port())))
	if err != nil {
		t.Fatalf("dial proxy: %v", err)
	}
	c.SetDeadline(time.Now().Add(hangGuard))
	t.Cleanup(func() { c.Close() })
	return c
}

// waitFor polls cond until it holds, failing the test after hangGuard.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
