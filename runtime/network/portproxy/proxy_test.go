package portproxy

import (
	"berth/runtime/spec"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"testing"
)

func TestPortInUse(t *testing.T) {
	tcpTaken, err := net.ListenTCP("tcp4", net.TCPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		t.Fatal(err)
	}
	defer tcpTaken.Close()
	udpTaken, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		t.Fatal(err)
	}
	defer udpTaken.Close()
	tcpPort := tcpTaken.Addr().(*net.TCPAddr).AddrPort().Port()
	udpPort := udpTaken.LocalAddr().(*net.UDPAddr).AddrPort().Port()

	tests := []struct {
		name string
		m    Mapping
		want string
	}{
		{"tcp same address", tcpMapping(loopback, tcpPort), fmt.Sprintf("Bind for 127.0.0.1:%d failed: port is already allocated", tcpPort)},
		{"tcp all addresses", tcpMapping(netip.Addr{}, tcpPort), fmt.Sprintf("Bind for 0.0.0.0:%d failed: port is already allocated", tcpPort)},
		{"udp same address", udpMapping(loopback, udpPort), fmt.Sprintf("Bind for 127.0.0.1:%d failed: port is already allocated", udpPort)},
		{"udp all addresses", udpMapping(netip.Addr{}, udpPort), fmt.Sprintf("Bind for 0.0.0.0:%d failed: port is already allocated", udpPort)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Start(tt.m, netip.MustParseAddrPort("127.0.0.1:9"))
			if err == nil {
				p.Close()
				t.Fatalf("Start(%v) on a taken port succeeded", tt.m)
			}
			if err.Error() != tt.want {
				t.Errorf("error = %q, want %q", err, tt.want)
			}
			if !errors.Is(err, ErrPortInUse) {
				t.Errorf("error %v does not wrap ErrPortInUse", err)
			}
		})
	}
}

func TestHostIPBindsOnlyThere(t *testing.T) {
	backend := tcpBackend(t, echo)
	only := startProxy(t, Config{}, tcpMapping(loopback, 0), backend)
	if c, err := net.DialTCP("tcp", nil, net.TCPAddrFromAddrPort(netip.AddrPortFrom(loopback2, only.HostAddr().Port()))); err == nil {
		c.Close()
		t.Errorf("proxy bound to 127.0.0.1 accepted a connection on 127.0.0.2")
	}
	checkEcho(t, dialTCP(t, loopback, only))

	// The zero HostIP takes every address.
	all := startProxy(t, Config{}, tcpMapping(netip.Addr{}, 0), backend)
	if got, want := all.HostAddr().Addr(), netip.IPv4Unspecified(); got != want {
		t.Errorf("HostAddr of the zero HostIP = %v, want %v", got, want)
	}
	checkEcho(t, dialTCP(t, loopback, all))
	checkEcho(t, dialTCP(t, loopback2, all))
}

func checkEcho(t *testing.T, c *net.TCPConn) {
	t.Helper()
	c.Write([]byte("echo?"))
	c.CloseWrite()
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "echo?" {
		t.Errorf("echo through %v = %q, %v; want %q", c.RemoteAddr(), got, err, "echo?")
	}
}

func TestEphemeralPort(t *testing.T) {
	for _, proto := range []string{ProtoTCP, ProtoUDP} {
		t.Run(proto, func(t *testing.T) {
			m, err := spec.ParsePortMapping("127.0.0.1::80/" + proto)
			if err != nil {
				t.Fatal(err)
			}
			p := startProxy(t, Config{}, m, netip.MustParseAddrPort("127.0.0.1:9"))
			port := p.HostAddr().Port()
			if port == 0 {
				t.Fatal("HostAddr reports port 0 after Start")
			}
			if got, want := p.HostAddr(), netip.AddrPortFrom(loopback, port); got != want {
				t.Errorf("HostAddr = %v, want %v", got, want)
			}
			if got, want := p.Mapping().String(), fmt.Sprintf("127.0.0.1:%d->80/%s", port, proto); got != want {
				t.Errorf("Mapping().String() = %q, want %q", got, want)
			}
			// The port really is ours: binding it again fails.
			if _, err := Start(p.Mapping(), netip.MustParseAddrPort("127.0.0.1:9")); !errors.Is(err, ErrPortInUse) {
				t.Errorf("second Start on %v: err = %v, want ErrPortInUse", p.HostAddr(), err)
			}
		})
	}
}

// Close with live traffic leaves no goroutine behind and frees the port for
// a new proxy at once.
func TestCloseFreesPortAndGoroutines(t *testing.T) {
	tcpBack, udpBack := tcpBackend(t, echo), udpEchoBackend(t)
	tests := []struct {
		m       Mapping
		backend netip.AddrPort
		use     func(t *testing.T, p *Proxy)
	}{
		{tcpMapping(loopback, 0), tcpBack, func(t *testing.T, p *Proxy) {
			c := dialTCP(t, loopback, p) // left open across Close
			c.Write([]byte("x"))
			if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
				t.Fatal(err)
			}
		}},
		{udpMapping(loopback, 0), udpBack, func(t *testing.T, p *Proxy) {
			if payload, _ := roundTrip(t, dialUDP(t, loopback, p), "x"); payload != "x" {
				t.Fatalf("reply = %q", payload)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.m.Proto, func(t *testing.T) {
			waitFor(t, "earlier proxies' goroutines to end", func() bool { return len(proxyGoroutines()) == 0 })
			p, err := Start(tt.m, tt.backend)
			if err != nil {
				t.Fatal(err)
			}
			tt.use(t, p)
			if len(proxyGoroutines()) == 0 {
				t.Fatal("no proxy goroutines seen while serving: the leak check would prove nothing")
			}
			if err := p.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			// A goroutine that has signalled it is done may still be
			// returning for a moment; what must not happen is one staying.
			waitFor(t, "the proxy's goroutines to end", func() bool { return len(proxyGoroutines()) == 0 })
			if err := p.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}

			again := startProxy(t, Config{}, p.Mapping(), tt.backend)
			if again.HostAddr() != p.HostAddr() {
				t.Errorf("restarted on %v, want %v", again.HostAddr(), p.HostAddr())
			}
			tt.use(t, again)
		})
	}
}

func TestStartRejectsBadInput(t *testing.T) {
	good := netip.MustParseAddrPort("127.0.0.1:80")
	tests := []struct {
		name    string
		m       Mapping
		backend netip.AddrPort
		want    string
	}{
		{"no proto", Mapping{HostIP: loopback, ContainerPort: 80}, good, `invalid proto: "" (want tcp or udp)`},
		{"sctp", Mapping{Proto: "sctp", HostIP: loopback, ContainerPort: 80}, good, "invalid proto: sctp (berth publishes tcp and udp ports only)"},
		{"no backend", tcpMapping(loopback, 0), netip.AddrPort{}, "invalid backend address invalid AddrPort for 127.0.0.1:0->80/tcp (want the container's IP and port)"},
		{"backend port 0", tcpMapping(loopback, 0), netip.MustParseAddrPort("10.0.0.2:0"), "invalid backend address 10.0.0.2:0 for 127.0.0.1:0->80/tcp (want the container's IP and port)"},
		{"unspecified backend", tcpMapping(loopback, 0), netip.MustParseAddrPort("0.0.0.0:80"), "invalid backend address 0.0.0.0:80 for 127.0.0.1:0->80/tcp (want the container's IP and port)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Start(tt.m, tt.backend)
			if err == nil {
				p.Close()
				t.Fatalf("Start(%+v, %v) succeeded", tt.m, tt.backend)
			}
			if err.Error() != tt.want {
				t.Errorf("error = %q, want %q", err, tt.want)
			}
			if !errors.Is(err, ErrInvalidSpec) {
				t.Errorf("error %v does not wrap ErrInvalidSpec", err)
			}
		})
	}
}
