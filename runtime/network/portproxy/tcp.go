package portproxy

import (
	"context"
	"errors"
	"io"
	"net"
	"time"
)

func (p *Proxy) serveTCP() {
	defer p.wg.Done()
	var delay time.Duration
	for {
		client, err := p.tcpLn.AcceptTCP()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			p.logf("accept: %v", err)
			if !p.backoff(&delay) {
				return
			}
			continue
		}
		delay = 0
		p.wg.Add(1)
		go p.serveConn(client)
	}
}

// serveConn connects one client to the backend and copies until both are
// done. A backend that cannot be reached gets the client closed at once
// (an empty reply, as with docker-proxy), never a hanging connection.
func (p *Proxy) serveConn(client *net.TCPConn) {
	defer p.wg.Done()
	if !p.track(client) {
		return
	}
	defer p.untrack(client)

	ctx, cancel := context.WithTimeout(p.ctx, p.cfg.DialTimeout)
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", p.backend.String())
	cancel()
	if err != nil {
		p.logf("connect to backend %s for %s: %v", p.backend, client.RemoteAddr(), err)
		return
	}
	backend := conn.(*net.TCPConn)
	if !p.track(backend) {
		return
	}
	defer p.untrack(backend)

	done := make(chan struct{})
	go func() {
		defer close(done)
		p.copyHalf(backend, client)
	}()
	p.copyHalf(client, backend)
	<-done
}

// copyHalf copies src to dst. A clean end of src is passed on as a
// half-close of dst, so a client that shuts down its sending side still gets
// the backend's reply; an error (reset, write to a closed peer, Close) closes
// both connections, which also ends the other direction's copy.
func (p *Proxy) copyHalf(dst, src *net.TCPConn) {
	if _, err := io.Copy(dst, src); err != nil {
		src.Close()
		dst.Close()
		return
	}
	// An error here means dst is already gone; the other direction then
	// fails and closes both.
	_ = dst.CloseWrite()
}

// track records an open connection so Close can end it; it refuses (and
// closes c) once the proxy is closing.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}
