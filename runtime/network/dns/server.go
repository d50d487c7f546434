package dns

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"

	miekg "github.com/miekg/dns"
)

// ttl is what Docker's embedded server puts on its answers, in seconds.
const ttl = 600

// maxRotations bounds the rotation counters one Server keeps. Only names that
// resolved get a counter, so this is only reached after a long churn of
// containers; then the counters start again from zero.
const maxRotations = 4096

// ErrClosed is returned by Serve on a Server that has been closed.
var ErrClosed = errors.New("dns server closed")

// Server answers the DNS queries of one container, from the networks that
// container is on in the Table.
//
// Answers list every member of a name, rotated one step per query: with
// members [a b c], successive A queries answer [a b c], [b c a], [c a b],
// [a b c]… Docker shuffles at random instead; berth rotates so that three
// pings of an alias with three members reach three different containers,
// every time.
//
// The rotation counter is kept per (querying container, lower-cased name,
// query type):
//   - per querying container, because each container sees its own set of
//     networks, and so that its sequence does not depend on what other
//     containers happen to resolve at the same time;
//   - per name, because different names have different members; lower-cased
//     because "Web" and "web" are the same name;
//   - per type, because resolvers send A and AAAA together for one lookup,
//     and the AAAA query must not push the A rotation on by a second step.
//
// Membership is read from the Table afresh on every query, so a member that
// leaves is absent from the very next answer; the counter then rotates over
// the members that remain.
type Server struct {
	table       *Table
	containerID string

	mu    sync.Mutex
	turns map[rotationKey]uint64

	runMu   sync.Mutex // held while starting or stopping
	closed  bool
	running []*miekg.Server
	wg      sync.WaitGroup // one per miekg.Server goroutine

	errMu sync.Mutex
	errs  []error // how running servers ended, if not by Close
}

type rotationKey struct {
	name  string // lower-cased, no trailing dot
	qtype uint16
}

// NewServer returns a server answering for the container containerID. It
// serves nothing until Serve.
func NewServer(table *Table, containerID string) *Server {
	return &Server{table: table, containerID: containerID, turns: map[rotationKey]uint64{}}
}

// Serve starts answering queries arriving on pc (UDP) and l (TCP) and
// returns once both are being served. The Server owns pc and l from then on,
// also when Serve fails: Close (or the failing Serve) closes them.
func (s *Server) Serve(pc net.PacketConn, l net.Listener) error {
	if pc == nil || l == nil {
		closeAll(pc, l)
		return fmt.Errorf("serve dns for container %.12s: need both a UDP and a TCP socket (got packet conn %v, listener %v)", s.containerID, pc, l)
	}
	s.runMu.Lock()
	defer s.runMu.Unlock()
	if s.closed {
		closeAll(pc, l)
		return fmt.Errorf("serve dns for container %.12s: %w", s.containerID, ErrClosed)
	}
	if len(s.running) > 0 {
		closeAll(pc, l)
		return fmt.Errorf("serve dns for container %.12s: already serving", s.containerID)
	}
	udp := &miekg.Server{PacketConn: pc, Handler: handler{s, true}}
	tcp := &miekg.Server{Listener: l, Handler: handler{s, false}}
	if err := s.start(udp); err != nil {
		closeAll(pc, l)
		s.stop()
		return fmt.Errorf("serve dns over udp on %s for container %.12s: %w", pc.LocalAddr(), s.containerID, err)
	}
	if err := s.start(tcp); err != nil {
		closeAll(pc, l)
		s.stop()
		return fmt.Errorf("serve dns over tcp on %s for container %.12s: %w", l.Addr(), s.containerID, err)
	}
	return nil
}

// start runs srv on its own goroutine and returns once it is serving, or
// with the error it stopped on before that. Called with runMu held.
func (s *Server) start(srv *miekg.Server) error {
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	failed := make(chan error, 1)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		err := srv.ActivateAndServe()
		select {
		case <-started: // serving had begun: report the end at Close
			if err != nil {
				s.errMu.Lock()
				s.errs = append(s.errs, err)
				s.errMu.Unlock()
			}
		default: // never served: start reports it
			if err == nil {
				err = errors.New("stopped before it started")
			}
			failed <- err
		}
	}()
	select {
	case <-started:
		s.running = append(s.running, srv)
		return nil
	case err := <-failed:
		return err
	}
}

// Close stops serving, closes both sockets and waits until every goroutine
// of the server has returned. It returns how serving failed, if it did.
// Closing again does nothing.
func (s *Server) Close() error {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.stop()
}

// stop shuts the running servers down and waits for all their goroutines.
// Called with runMu held; the goroutines never take it.
func (s *Server) stop() error {
	for _, srv := range s.running {
		// Shutdown fails only for a server that already stopped by itself;
		// its goroutine has recorded why.
		_ = srv.Shutdown()
	}
	s.running = nil
	s.wg.Wait()
	s.errMu.Lock()
	errs := s.errs
	s.errs = nil
	s.errMu.Unlock()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("dns server for container %.12s: %w", s.containerID, err)
	}
	return nil
}

func closeAll(pc net.PacketConn, l net.Listener) {
	if pc != nil {
		pc.Close()
	}
	if l != nil {
		l.Close()
	}
}

// handler answers for one transport of a Server; the transport decides how
// large an answer may be.
type handler struct {
	s   *Server
	udp bool
}

func (h handler) ServeDNS(w miekg.ResponseWriter, r *miekg.Msg) {
	// A client that is gone cannot be told; the next query gets a new try.
	_ = w.WriteMsg(h.s.answer(r, h.udp))
}

// answer builds the reply to r. It takes no lock longer than a table read
// and one counter update, so queries stay in the microseconds.
func (s *Server) answer(r *miekg.Msg, udp bool) *miekg.Msg {
	m := new(miekg.Msg)
	m.SetReply(r) // QR; RD copied from the query
	m.RecursionAvailable = true
	// AA stays clear, as in Docker: these answers are not from a zone.

	switch {
	case r.Opcode != miekg.OpcodeQuery:
		m.Rcode = miekg.RcodeNotImplemented
		return m
	case len(r.Question) != 1:
		m.Rcode = miekg.RcodeFormatError
		return m
	}
	q := r.Question[0]
	switch {
	case q.Qclass != miekg.ClassINET:
		m.Rcode = miekg.RcodeRefused
	case q.Qtype == miekg.TypePTR && isReverseName(q.Name):
		s.answerPTR(m, q)
	default:
		s.answerForward(m, q)
	}

	size := miekg.MaxMsgSize
	if udp {
		size = miekg.MinMsgSize
	}
	if opt := r.IsEdns0(); opt != nil {
		if udp {
			size = max(int(opt.UDPSize()), miekg.MinMsgSize)
		}
		m.SetEdns0(miekg.MinMsgSize, false) // what we read: miekg's default UDP buffer
	}
	m.Truncate(size) // sets TC when members had to be left out; TCP gets them all
	return m
}

func (s *Server) answerPTR(m *miekg.Msg, q miekg.Question) {
	addr, ok := reverseAddr(q.Name)
	if !ok {
		m.Rcode = miekg.RcodeNameError
		return
	}
	name, ok := s.table.LookupAddr(s.containerID, addr)
	if !ok {
		m.Rcode = miekg.RcodeNameError
		return
	}
	m.Answer = []miekg.RR{&miekg.PTR{
		Hdr: miekg.RR_Header{Name: q.Name, Rrtype: miekg.TypePTR, Class: miekg.ClassINET, Ttl: ttl},
		Ptr: name,
	}}
}

func (s *Server) answerForward(m *miekg.Msg, q miekg.Question) {
	addrs := s.table.Lookup(s.containerID, q.Name)
	if len(addrs) == 0 {
		m.Rcode = miekg.RcodeNameError // berth does not forward: unknown is final
		return
	}
	var want func(netip.Addr) bool
	switch q.Qtype {
	case miekg.TypeA:
		want = netip.Addr.Is4
	case miekg.TypeAAAA:
		want = netip.Addr.Is6
	default:
		return // a known name has no other records: NOERROR, no answers
	}
	kept := addrs[:0]
	for _, a := range addrs {
		if want(a) {
			kept = append(kept, a)
		}
	}
	if len(kept) == 0 {
		return
	}
	start := s.nextTurn(rotationKey{strings.ToLower(strings.TrimSuffix(q.Name, ".")), q.Qtype}, len(kept))
	hdr := miekg.RR_Header{Name: q.Name, Rrtype: q.Qtype, Class: miekg.ClassINET, Ttl: ttl}
	m.Answer = make([]miekg.RR, 0, len(kept))
	for i := range kept {
		a := kept[(start+i)%len(kept)]
		if q.Qtype == miekg.TypeA {
			m.Answer = append(m.Answer, &miekg.A{Hdr: hdr, A: a.AsSlice()})
		} else {
			m.Answer = append(m.Answer, &miekg.AAAA{Hdr: hdr, AAAA: a.AsSlice()})
		}
	}
}

// nextTurn returns where the answer for key starts among n members, and
// moves the rotation on by one.
func (s *Server) nextTurn(key rotationKey, n int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	turn, seen := s.turns[key]
	if !seen && len(s.turns) >= maxRotations {
		clear(s.turns)
	}
	s.turns[key] = turn + 1
	return int(turn % uint64(n))
}

func isReverseName(name string) bool {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	return strings.HasSuffix(name, ".in-addr.arpa") || strings.HasSuffix(name, ".ip6.arpa")
}
