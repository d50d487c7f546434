package portproxy

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// maxDatagram holds any UDP payload, so nothing is truncated.
const maxDatagram = 65535

// sessionKey is what a UDP session is for: one client address writing to one
// host address (the latter is only known, and only matters, on a wildcard
// bind).
type sessionKey struct {
	client netip.AddrPort
	local  netip.Addr
}

// udpSession is one client's flow: its own socket connected to the backend,
// so the backend's replies can be told apart and sent back to that client.
type udpSession struct {
	conn       *net.UDPConn
	oob        []byte       // control message that sends replies from key.local
	lastActive atomic.Int64 // time since Proxy.epoch of the last datagram either way
}

func (s *udpSession) touch(p *Proxy) { s.lastActive.Store(int64(time.Since(p.epoch))) }

func (s *udpSession) expiry(p *Proxy) time.Time {
	return p.epoch.Add(time.Duration(s.lastActive.Load()) + p.cfg.UDPIdleTimeout)
}

func (p *Proxy) serveUDP() {
	defer p.wg.Done()
	buf := make([]byte, maxDatagram)
	oob := make([]byte, 128)
	var delay time.Duration
	for {
		n, oobn, _, client, err := p.udpConn.ReadMsgUDPAddrPort(buf, oob)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			p.logf("read: %v", err)
			if !p.backoff(&delay) {
				return
			}
			continue
		}
		delay = 0
		s, err := p.session(sessionKey{client: client, local: p.udpSrc.local(oob[:oobn])})
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			p.logf("%v", err)
			continue
		}
		_, err = s.conn.Write(buf[:n])
		if errors.Is(err, syscall.ECONNREFUSED) {
			// The kernel reports here that an earlier datagram found nothing
			// listening, and drops this one; the error is now cleared, so
			// send again for a backend that has started meanwhile.
			_, err = s.conn.Write(buf[:n])
		}
		if err != nil && !errors.Is(err, net.ErrClosed) {
			p.logf("send to backend %s for %s: %v", p.backend, client, err)
		}
	}
}

// session finds the live session for key or starts one.
func (p *Proxy) session(key sessionKey) (*udpSession, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, net.ErrClosed
	}
	if s := p.sessions[key]; s != nil {
		s.touch(p)
		return s, nil
	}
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(p.backend))
	if err != nil {
		return nil, fmt.Errorf("connect to backend %s for %s: %w", p.backend, key.client, err)
	}
	s := &udpSession{conn: conn, oob: p.udpSrc.oob(key.local)}
	s.touch(p)
	p.sessions[key] = s
	p.wg.Add(1)
	go p.serveReplies(key, s)
	return s, nil
}

// serveReplies sends the backend's datagrams back to the session's client
// from the listening socket, until the session idles out or the proxy
// closes.
func (p *Proxy) serveReplies(key sessionKey, s *udpSession) {
	defer p.wg.Done()
	defer p.endSession(key, s)
	buf := make([]byte, maxDatagram)
	for {
		if err := s.conn.SetReadDeadline(s.expiry(p)); err != nil {
			return
		}
		n, err := s.conn.Read(buf)
		switch {
		case err == nil:
		case errors.Is(err, os.ErrDeadlineExceeded):
			if p.expire(key, s) {
				return
			}
			continue
		case errors.Is(err, syscall.ECONNREFUSED):
			// Nothing listens in the container (yet): keep the session until
			// it idles out, as docker-proxy does.
			continue
		default:
			return // closed by Close, or a socket error
		}
		s.touch(p)
		if err := p.reply(buf[:n], s.oob, key.client); err != nil && !errors.Is(err, net.ErrClosed) {
			p.logf("reply to %s: %v", key.client, err)
		}
	}
}

func (p *Proxy) reply(b, oob []byte, client netip.AddrPort) error {
	_, _, err := p.udpConn.WriteMsgUDPAddrPort(b, oob, client)
	if err != nil && oob != nil && errors.Is(err, syscall.EINVAL) {
		// The address the client wrote to cannot be a source (a broadcast
		// address, say): let the kernel pick one.
		_, _, err = p.udpConn.WriteMsgUDPAddrPort(b, nil, client)
	}
	return err
}

// expire ends s if it has really been idle for the timeout: a datagram from
// the client may have arrived since the read deadline was set. The check is
// under p.mu, as session() refreshes lastActive there, so a session handed
// out for a send is never expired under it.
func (p *Proxy) expire(key sessionKey, s *udpSession) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Now().Before(s.expiry(p)) {
		return false
	}
	if p.sessions[key] == s {
		delete(p.sessions, key)
	}
	return true
}

func (p *Proxy) endSession(key sessionKey, s *udpSession) {
	p.mu.Lock()
	if p.sessions[key] == s {
		delete(p.sessions, key)
	}
	p.mu.Unlock()
	s.conn.Close()
}

// replySource makes UDP replies leave from the host address the client
// wrote to. On a wildcard bind the kernel would otherwise pick the source by
// route, and a client whose socket is connected drops a reply from any
// other address (docker-proxy had this bug).
type replySource struct {
	family int // 0 on a socket bound to one address: nothing to do
}

func newReplySource(conn *net.UDPConn, wildcard bool) (replySource, error) {
	if !wildcard {
		return replySource{}, nil
	}
	raw, err := conn.SyscallConn()
	if err != nil {
		return replySource{}, fmt.Errorf("access UDP socket: %w", err)
	}
	var family int
	var opErr error
	err = raw.Control(func(fd uintptr) {
		family, opErr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_DOMAIN)
		if opErr != nil {
			opErr = fmt.Errorf("get socket family: %w", opErr)
			return
		}
		// A dual-stack IPv6 socket reports IPv4 destinations as v4-mapped
		// IPV6_PKTINFO, and takes them back the same way.
		if family == unix.AF_INET6 {
			opErr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_RECVPKTINFO, 1)
		} else {
			opErr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_PKTINFO, 1)
		}
		if opErr != nil {
			opErr = fmt.Errorf("enable packet info: %w", opErr)
		}
	})
	if err == nil {
		err = opErr
	}
	if err != nil {
		return replySource{}, err
	}
	return replySource{family: family}, nil
}

// local is the destination address of a received datagram, from its control
// messages; the zero Addr when not known.
func (r replySource) local(oob []byte) netip.Addr {
	if r.family == 0 || len(oob) == 0 {
		return netip.Addr{}
	}
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return netip.Addr{}
	}
	for _, m := range msgs {
		switch {
		case m.Header.Level == unix.IPPROTO_IP && m.Header.Type == unix.IP_PKTINFO &&
			len(m.Data) >= unix.SizeofInet4Pktinfo:
			// struct in_pktinfo { int ifindex; in_addr spec_dst; in_addr addr; }:
			// addr is the destination in the packet's header.
			return netip.AddrFrom4([4]byte(m.Data[8:12]))
		case m.Header.Level == unix.IPPROTO_IPV6 && m.Header.Type == unix.IPV6_PKTINFO &&
			len(m.Data) >= unix.SizeofInet6Pktinfo:
			// struct in6_pktinfo { in6_addr addr; int ifindex; }
			return netip.AddrFrom16([16]byte(m.Data[0:16]))
		}
	}
	return netip.Addr{}
}

// oob is the control message that sends a datagram from local.
func (r replySource) oob(local netip.Addr) []byte {
	if r.family == 0 || !local.IsValid() || local.IsMulticast() {
		return nil
	}
	if r.family == unix.AF_INET6 {
		return unix.PktInfo6(&unix.Inet6Pktinfo{Addr: local.As16()})
	}
	if !local.Unmap().Is4() {
		return nil
	}
	return unix.PktInfo4(&unix.Inet4Pktinfo{Spec_dst: local.Unmap().As4()})
}
