package portproxy

import (
	"berth/runtime/spec"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Defaults used when a Config field is zero.
const (
	// DefaultUDPIdleTimeout is how long a UDP session lives without traffic,
	// docker-proxy's UDPConnTrackTimeout.
	DefaultUDPIdleTimeout = 90 * time.Second
	// DefaultDialTimeout bounds the connection to the container, so a client
	// of a container that does not answer is closed rather than left hanging.
	DefaultDialTimeout = 10 * time.Second
)

// ErrPortInUse means the host port is already bound, by berth or anything
// else. The full text is Docker's: "Bind for 0.0.0.0:8080 failed: port is
// already allocated".
var ErrPortInUse = errors.New("port is already allocated")

// Config tunes a proxy. The zero Config gives docker-proxy's behaviour.
type Config struct {
	// UDPIdleTimeout ends a UDP session (and frees its socket) after this
	// long without a datagram either way. Zero means DefaultUDPIdleTimeout.
	UDPIdleTimeout time.Duration
	// DialTimeout bounds each TCP connection attempt to the backend. Zero
	// means DefaultDialTimeout.
	DialTimeout time.Duration
	// Logf, when set, receives the errors that have no caller to return to,
	// such as a failed connection to the backend. Nil means silent.
	Logf func(format string, args ...any)
}

// Proxy forwards one published port to a backend. It runs as goroutines of
// the calling process until Close.
type Proxy struct {
	mapping Mapping // HostPort is the bound port, even when 0 was asked
	backend netip.AddrPort
	cfg     Config
	epoch   time.Time // base of the monotonic UDP activity clock

	// ctx is cancelled by Close; it stops backend dials and accept backoff.
	ctx    context.Context
	cancel context.CancelFunc

	tcpLn   *net.TCPListener // set for tcp
	udpConn *net.UDPConn     // set for udp
	udpSrc  replySource      // how UDP replies keep the address the client wrote to

	mu       sync.Mutex
	closed   bool
	conns    map[net.Conn]struct{}      // open TCP connections, both sides
	sessions map[sessionKey]*udpSession // live UDP sessions

	wg        sync.WaitGroup // every goroutine of this proxy
	closeOnce sync.Once
	closeErr  error
}

// Start publishes m with the default Config: it listens on
// m.HostIP:m.HostPort and forwards to backend. See Config.Start.
func Start(m Mapping, backend netip.AddrPort) (*Proxy, error) {
	return Config{}.Start(m, backend)
}

// Start listens on m.HostIP:m.HostPort (every address when HostIP is zero,
// an ephemeral port when HostPort is 0) and forwards each TCP connection, or
// each UDP client's datagrams, to backend — the container's address and
// port; m.ContainerPort is only reported, not dialled. A bound port fails
// with an error wrapping ErrPortInUse.
func (c Config) Start(m Mapping, backend netip.AddrPort) (*Proxy, error) {
	if err := spec.CheckPortProto(m.Proto); err != nil {
		return nil, specErrorf("%v", err)
	}
	if !backend.IsValid() || backend.Port() == 0 || backend.Addr().IsUnspecified() {
		return nil, specErrorf("invalid backend address %s for %s (want the container's IP and port)", backend, m)
	}
	if c.UDPIdleTimeout <= 0 {
		c.UDPIdleTimeout = DefaultUDPIdleTimeout
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = DefaultDialTimeout
	}

	p := &Proxy{mapping: m, backend: backend, cfg: c, epoch: time.Now()}
	var bound net.Addr
	switch m.Proto {
	case ProtoTCP:
		ln, err := net.ListenTCP(listenNetwork("tcp", m.HostIP), &net.TCPAddr{IP: listenIP(m.HostIP), Port: int(m.HostPort), Zone: m.HostIP.Zone()})
		if err != nil {
			return nil, bindError(m, err)
		}
		p.tcpLn, bound = ln, ln.Addr()
		p.conns = make(map[net.Conn]struct{})
	case ProtoUDP:
		conn, err := net.ListenUDP(listenNetwork("udp", m.HostIP), &net.UDPAddr{IP: listenIP(m.HostIP), Port: int(m.HostPort), Zone: m.HostIP.Zone()})
		if err != nil {
			return nil, bindError(m, err)
		}
		src, err := newReplySource(conn, !m.HostIP.IsValid() || m.HostIP.IsUnspecified())
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("publish %s: %w", m, err)
		}
		p.udpConn, p.udpSrc, bound = conn, src, conn.LocalAddr()
		p.sessions = make(map[sessionKey]*udpSession)
	}
	p.mapping.HostPort = uint16(portOf(bound))
	p.ctx, p.cancel = context.WithCancel(context.Background())

	p.wg.Add(1)
	if p.tcpLn != nil {
		go p.serveTCP()
	} else {
		go p.serveUDP()
	}
	return p, nil
}

// listenNetwork keeps an explicit address to its own family, as Docker binds
// "0.0.0.0:8080:80" on IPv4 only, while the zero HostIP gets Go's dual-stack
// wildcard, like Docker's pair of 0.0.0.0 and [::] proxies.
func listenNetwork(base string, ip netip.Addr) string {
	switch {
	case !ip.IsValid():
		return base
	case ip.Unmap().Is4():
		return base + "4"
	default:
		return base + "6"
	}
}

func listenIP(ip netip.Addr) net.IP {
	if !ip.IsValid() {
		return nil // wildcard, dual stack where the host has IPv6
	}
	return ip.AsSlice()
}

func portOf(a net.Addr) int {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.Port
	case *net.UDPAddr:
		return a.Port
	}
	return 0
}

// bindError gives Docker's text for a taken port and wraps anything else
// with the address it was about.
func bindError(m Mapping, err error) error {
	addr := hostAddrString(m.HostIP, m.HostPort)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("Bind for %s failed: %w", addr, ErrPortInUse)
	}
	return fmt.Errorf("publish %s: listen on %s/%s: %w", m, addr, m.Proto, err)
}

func hostAddrString(ip netip.Addr, port uint16) string {
	host := "0.0.0.0"
	if ip.IsValid() {
		host = ip.String()
	}
	return net.JoinHostPort(host, strconv.Itoa(int(port)))
}

// HostAddr is the address the proxy listens on, with the port the kernel
// picked when HostPort 0 was asked. The zero HostIP is reported as 0.0.0.0.
func (p *Proxy) HostAddr() netip.AddrPort {
	ip := p.mapping.HostIP
	if !ip.IsValid() {
		ip = netip.IPv4Unspecified()
	}
	return netip.AddrPortFrom(ip, p.mapping.HostPort)
}

// Mapping is the published mapping with its HostPort as bound, for inspect
// and `docker port`-like output.
func (p *Proxy) Mapping() Mapping { return p.mapping }

// Backend is the address the proxy forwards to.
func (p *Proxy) Backend() netip.AddrPort { return p.backend }

// Close stops listening, closes every open connection and UDP session, and
// returns once all of the proxy's goroutines have ended, so the host port is
// free again. Calling it again returns the first result.
func (p *Proxy) Close() error {
	p.closeOnce.Do(func() {
		p.cancel()
		p.mu.Lock()
		p.closed = true
		conns, sessions := p.conns, p.sessions
		p.conns, p.sessions = nil, nil
		p.mu.Unlock()

		var err error
		if p.tcpLn != nil {
			err = p.tcpLn.Close()
		} else {
			err = p.udpConn.Close()
		}
		for c := range conns {
			c.Close()
		}
		for _, s := range sessions {
			s.conn.Close()
		}
		p.wg.Wait()
		if err != nil {
			p.closeErr = fmt.Errorf("close proxy %s: %w", p.mapping, err)
		}
	})
	return p.closeErr
}

func (p *Proxy) logf(format string, args ...any) {
	if p.cfg.Logf != nil {
		p.cfg.Logf("port %s: "+format, append([]any{p.mapping}, args...)...)
	}
}

// backoff waits before retrying a failing accept or read, so an error that
// persists (such as running out of file descriptors) does not spin a CPU.
// It reports false when the proxy is closing.
func (p *Proxy) backoff(delay *time.Duration) bool {
	switch {
	case *delay == 0:
		*delay = 5 * time.Millisecond
	case *delay < time.Second:
		*delay *= 2
	}
	t := time.NewTimer(*delay)
	defer t.Stop()
	select {
	case <-p.ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
