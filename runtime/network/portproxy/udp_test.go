package portproxy

import (
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func udpMapping(ip netip.Addr, port uint16) Mapping {
	return Mapping{Proto: ProtoUDP, HostIP: ip, HostPort: port, ContainerPort: 53}
}

// roundTrip sends msg and returns the reply split into payload and the
// backend-side sender (the session's socket) as the echo backend saw it.
func roundTrip(t *testing.T, c *net.UDPConn, msg string) (payload, sender string) {
	t.Helper()
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatalf("send %q: %v", msg, err)
	}
	buf := make([]byte, maxDatagram)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("reply to %q: %v", msg, err)
	}
	payload, sender, _ = strings.Cut(string(buf[:n]), "|")
	return payload, sender
}

func sessionCount(p *Proxy) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.sessions)
}

// Two clients each get their own replies, through their own session.
func TestUDPEchoTwoClients(t *testing.T) {
	p := startProxy(t, Config{}, udpMapping(loopback, 0), udpEchoBackend(t))
	c1 := dialUDP(t, loopback, p)
	c2 := dialUDP(t, loopback, p)

	// Both send before either reads, so each reply must find its own client.
	for _, s := range []struct {
		c   *net.UDPConn
		msg string
	}{{c1, "one"}, {c2, "two"}} {
		if _, err := s.c.Write([]byte(s.msg)); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, maxDatagram)
	var senders []string
	for _, s := range []struct {
		c    *net.UDPConn
		want string
	}{{c1, "one"}, {c2, "two"}} {
		n, err := s.c.Read(buf)
		if err != nil {
			t.Fatalf("read reply for %q: %v", s.want, err)
		}
		payload, sender, _ := strings.Cut(string(buf[:n]), "|")
		if payload != s.want {
			t.Errorf("client sent %q, got reply %q", s.want, payload)
		}
		senders = append(senders, sender)
	}
	if senders[0] == senders[1] {
		t.Errorf("both clients reached the backend from %s, want a session each", senders[0])
	}
	if n := sessionCount(p); n != 2 {
		t.Errorf("%d sessions, want 2", n)
	}

	// The next datagram of a client reuses its session.
	if _, sender := roundTrip(t, c1, "again"); sender != senders[0] {
		t.Errorf("second datagram of client 1 came from %s, want its session %s", sender, senders[0])
	}
}

func TestUDPLargeDatagram(t *testing.T) {
	p := startProxy(t, Config{}, udpMapping(loopback, 0), udpEchoBackend(t))
	c := dialUDP(t, loopback, p)
	msg := strings.Repeat("d", 60000)
	if payload, _ := roundTrip(t, c, msg); payload != msg {
		t.Errorf("got %d bytes back, want the same %d", len(payload), len(msg))
	}
}

// On a wildcard bind a reply must come from the address the client wrote to
// (here 127.0.0.2, while the kernel would pick 127.0.0.1), or the client's
// connected socket drops it.
func TestUDPReplyFromAddressClientUsed(t *testing.T) {
	for name, hostIP := range map[string]netip.Addr{"all addresses": {}, "0.0.0.0": netip.IPv4Unspecified()} {
		t.Run(name, func(t *testing.T) {
			p := startProxy(t, Config{}, udpMapping(hostIP, 0), udpEchoBackend(t))
			c := dialUDP(t, loopback2, p)
			if payload, _ := roundTrip(t, c, "hi"); payload != "hi" {
				t.Errorf("reply = %q, want %q", payload, "hi")
			}
		})
	}
}

// An idle session is dropped, and the client's next datagram gets a new one.
// The backend only records what it gets, so no reply has to beat the short
// timeout.
func TestUDPSessionExpires(t *testing.T) {
	conn, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(hangGuard))
	received := func() string {
		t.Helper()
		buf := make([]byte, 100)
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("backend read: %v", err)
		}
		return string(buf[:n])
	}

	p := startProxy(t, Config{UDPIdleTimeout: 20 * time.Millisecond}, udpMapping(loopback, 0), conn.LocalAddr().(*net.UDPAddr).AddrPort())
	c := dialUDP(t, loopback, p)
	if _, err := c.Write([]byte("first")); err != nil {
		t.Fatal(err)
	}
	if got := received(); got != "first" {
		t.Fatalf("backend got %q, want %q", got, "first")
	}
	waitFor(t, "the idle session to expire", func() bool { return sessionCount(p) == 0 })

	if _, err := c.Write([]byte("second")); err != nil {
		t.Fatal(err)
	}
	if got := received(); got != "second" {
		t.Fatalf("backend got %q after the session expired, want %q", got, "second")
	}
}

// A backend that starts after the first datagram was refused still gets the
// client's later datagrams through the same session.
func TestUDPBackendStartsLate(t *testing.T) {
	conn, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		t.Fatal(err)
	}
	backend := conn.LocalAddr().(*net.UDPAddr).AddrPort()
	conn.Close()

	p := startProxy(t, Config{}, udpMapping(loopback, 0), backend)
	c := dialUDP(t, loopback, p)
	if _, err := c.Write([]byte("lost")); err != nil {
		t.Fatal(err)
	}
	// The refusal comes back as ICMP; once it has, the session has a
	// pending ECONNREFUSED that the next send must get past.
	waitFor(t, "the session", func() bool { return sessionCount(p) == 1 })

	conn, err = net.ListenUDP("udp4", net.UDPAddrFromAddrPort(backend))
	if err != nil {
		t.Skipf("port %v was taken meanwhile: %v", backend, err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(hangGuard))
	if _, err := c.Write([]byte("found")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 100)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("backend never got the datagram sent after it started: %v", err)
		}
		if string(buf[:n]) == "found" {
			break
		}
	}
}
