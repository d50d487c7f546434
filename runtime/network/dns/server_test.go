package dns

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	miekg "github.com/miekg/dns"

	"berth/runtime/network/nstest"
)

// safetyTimeout only keeps a broken test from hanging; nothing asserts on time.
const safetyTimeout = 10 * time.Second

// newNetNS returns a throwaway namespace with lo up, so 127.0.0.11 exists in it.
func newNetNS(t testing.TB) string {
	t.Helper()
	path := nstest.New(t)
	h := nstest.Handle(t, path)
	lo, err := h.LinkByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.LinkSetUp(lo); err != nil {
		t.Fatal(err)
	}
	return path
}

// serve starts a Server for the container asker, listening in a new
// namespace, and returns the namespace's path.
func serve(t testing.TB, tb *Table, asker string) (string, *Server) {
	t.Helper()
	ns := newNetNS(t)
	pc, l, err := ListenInNetNS(ns)
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(tb, asker)
	if err := s.Serve(pc, l); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return ns, s
}

// dial opens a client connection to the server from inside the namespace
// (the socket stays there, whichever thread uses it afterwards).
func dial(t testing.TB, ns, network string) *miekg.Conn {
	t.Helper()
	var co *miekg.Conn
	err := nstest.Do(ns, func() error {
		var err error
		co, err = miekg.DialTimeout(network, Address, safetyTimeout)
		return err
	})
	if err != nil {
		t.Fatalf("dial %s %s in %s: %v", network, Address, ns, err)
	}
	t.Cleanup(func() { co.Close() })
	return co
}

func exchange(t testing.TB, co *miekg.Conn, name string, qtype uint16) *miekg.Msg {
	t.Helper()
	q := new(miekg.Msg).SetQuestion(name, qtype)
	c := &miekg.Client{Timeout: safetyTimeout}
	r, _, err := c.ExchangeWithConn(q, co)
	if err != nil {
		t.Fatalf("query %s %s: %v", miekg.TypeToString[qtype], name, err)
	}
	return r
}

// answerAddrs returns the addresses of the A/AAAA records of r, in order.
func answerAddrs(t testing.TB, r *miekg.Msg) []netip.Addr {
	t.Helper()
	var out []netip.Addr
	for _, rr := range r.Answer {
		switch rr := rr.(type) {
		case *miekg.A:
			out = append(out, netip.MustParseAddr(rr.A.String()))
		case *miekg.AAAA:
			out = append(out, netip.MustParseAddr(rr.AAAA.String()))
		default:
			t.Fatalf("unexpected record %v", rr)
		}
	}
	return out
}

func sorted(addrs []netip.Addr) []netip.Addr {
	out := slices.Clone(addrs)
	sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
	return out
}

func TestServerAnswers(t *testing.T) {
	tb := world(t)
	ns, _ := serve(t, tb, id("client"))
	tests := []struct {
		name      string
		qtype     uint16
		wantRcode int
		wantAddrs []netip.Addr // as a set: rotation has its own test
		wantPTR   string
	}{
		{"web.", miekg.TypeA, miekg.RcodeSuccess, ips("172.18.0.2", "172.18.0.4", "172.20.0.2"), ""},
		{"api.", miekg.TypeA, miekg.RcodeSuccess, ips("172.18.0.2"), ""},
		{id("db")[:12] + ".", miekg.TypeA, miekg.RcodeSuccess, ips("172.18.0.3"), ""},
		{"web.net1.", miekg.TypeA, miekg.RcodeSuccess, ips("172.18.0.2", "172.18.0.4"), ""},
		{"WoRkEr.Net2.", miekg.TypeA, miekg.RcodeSuccess, ips("172.20.0.5"), ""},
		{"sToRe.", miekg.TypeA, miekg.RcodeSuccess, ips("172.18.0.3"), ""},
		{"secret.", miekg.TypeA, miekg.RcodeNameError, nil, ""},
		{"secret.net3.", miekg.TypeA, miekg.RcodeNameError, nil, ""},
		{"nosuch.", miekg.TypeA, miekg.RcodeNameError, nil, ""},
		{"nosuch.", miekg.TypeAAAA, miekg.RcodeNameError, nil, ""},
		{"web.", miekg.TypeAAAA, miekg.RcodeSuccess, nil, ""},
		{"db.", miekg.TypeMX, miekg.RcodeSuccess, nil, ""},
		{"db.", miekg.TypeTXT, miekg.RcodeSuccess, nil, ""},
		{"db.", miekg.TypePTR, miekg.RcodeSuccess, nil, ""}, // a known name that is not a reverse name
		{"3.0.18.172.in-addr.arpa.", miekg.TypePTR, miekg.RcodeSuccess, nil, "db.net1."},
		{"5.0.20.172.in-addr.arpa.", miekg.TypePTR, miekg.RcodeSuccess, nil, "worker.net2."},
		{"2.0.21.172.in-addr.arpa.", miekg.TypePTR, miekg.RcodeNameError, nil, ""}, // net3's
		{"99.0.18.172.in-addr.arpa.", miekg.TypePTR, miekg.RcodeNameError, nil, ""},
		{"0.18.172.in-addr.arpa.", miekg.TypePTR, miekg.RcodeNameError, nil, ""},
	}
	for _, network := range []string{"udp", "tcp"} {
		co := dial(t, ns, network)
		for _, tt := range tests {
			t.Run(network+"/"+miekg.TypeToString[tt.qtype]+"/"+tt.name, func(t *testing.T) {
				r := exchange(t, co, tt.name, tt.qtype)
				if r.Rcode != tt.wantRcode {
					t.Fatalf("rcode %s, want %s", miekg.RcodeToString[r.Rcode], miekg.RcodeToString[tt.wantRcode])
				}
				checkFlags(t, r, true)
				if tt.wantPTR != "" {
					ptr, ok := onlyPTR(r)
					if !ok || ptr.Ptr != tt.wantPTR || ptr.Hdr.Ttl != ttl || ptr.Hdr.Name != tt.name {
						t.Fatalf("answer %v, want one PTR %s -> %s, TTL %d", r.Answer, tt.name, tt.wantPTR, ttl)
					}
					return
				}
				if got := answerAddrs(t, r); !reflect.DeepEqual(sorted(got), sorted(tt.wantAddrs)) {
					t.Fatalf("answer %v, want %v", got, tt.wantAddrs)
				}
				for _, rr := range r.Answer {
					if h := rr.Header(); h.Ttl != ttl || h.Name != tt.name || h.Class != miekg.ClassINET {
						t.Fatalf("record header %v, want name %s, TTL %d, class IN", h, tt.name, ttl)
					}
				}
			})
		}
	}
}

func onlyPTR(r *miekg.Msg) (*miekg.PTR, bool) {
	if len(r.Answer) != 1 {
		return nil, false
	}
	ptr, ok := r.Answer[0].(*miekg.PTR)
	return ptr, ok
}

// checkFlags checks the header bits Docker's resolver sets: QR, RD as asked,
// RA, and not AA, not TC.
func checkFlags(t testing.TB, r *miekg.Msg, rd bool) {
	t.Helper()
	if !r.Response || r.RecursionDesired != rd || !r.RecursionAvailable || r.Authoritative || r.Truncated {
		t.Fatalf("flags qr=%v rd=%v ra=%v aa=%v tc=%v; want qr rd=%v ra, not aa, not tc",
			r.Response, r.RecursionDesired, r.RecursionAvailable, r.Authoritative, r.Truncated, rd)
	}
}

func TestServerCopiesRD(t *testing.T) {
	tb := world(t)
	ns, _ := serve(t, tb, id("client"))
	co := dial(t, ns, "udp")
	q := new(miekg.Msg).SetQuestion("web.", miekg.TypeA)
	q.RecursionDesired = false
	r, _, err := (&miekg.Client{Timeout: safetyTimeout}).ExchangeWithConn(q, co)
	if err != nil {
		t.Fatal(err)
	}
	checkFlags(t, r, false)
}

func threeMembers(t testing.TB) *Table {
	tb := NewTable()
	mustJoin(t, tb,
		joinSpec{"n", "client", "10.0.0.9", nil},
		joinSpec{"n", "a", "10.0.0.1", []string{"svc"}},
		joinSpec{"n", "b", "10.0.0.2", []string{"svc"}},
		joinSpec{"n", "c", "10.0.0.3", []string{"svc"}},
	)
	return tb
}

func TestRotationIsStrictRoundRobin(t *testing.T) {
	for _, network := range []string{"udp", "tcp"} {
		t.Run(network, func(t *testing.T) {
			tb := threeMembers(t)
			ns, _ := serve(t, tb, id("client"))
			co := dial(t, ns, network)
			a, b, c := "10.0.0.1", "10.0.0.2", "10.0.0.3"
			steps := []struct {
				name  string
				qtype uint16
				want  []netip.Addr
			}{
				{"svc.", miekg.TypeA, ips(a, b, c)},
				{"svc.", miekg.TypeAAAA, nil}, // does not move the A rotation
				{"SVC.", miekg.TypeA, ips(b, c, a)},
				{"svc.n.", miekg.TypeA, ips(a, b, c)}, // another name, its own rotation
				{"svc.", miekg.TypeMX, nil},
				{"svc.", miekg.TypeA, ips(c, a, b)},
				{"svc.", miekg.TypeA, ips(a, b, c)},
				{"svc.", miekg.TypeA, ips(b, c, a)},
			}
			for i, st := range steps {
				r := exchange(t, co, st.name, st.qtype)
				if got := answerAddrs(t, r); !reflect.DeepEqual(got, st.want) {
					t.Fatalf("query %d (%s %s) = %v, want %v", i, miekg.TypeToString[st.qtype], st.name, got, st.want)
				}
			}
		})
	}
}

func TestRotationFollowsMembership(t *testing.T) {
	tb := threeMembers(t)
	ns, _ := serve(t, tb, id("client"))
	co := dial(t, ns, "udp")
	a, b, c, d := "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"

	if got, want := answerAddrs(t, exchange(t, co, "svc.", miekg.TypeA)), ips(a, b, c); !reflect.DeepEqual(got, want) {
		t.Fatalf("first answer %v, want %v", got, want)
	}
	tb.Leave("n", id("b"))
	// Third query in the sequence (turn 1) over [a c]: starts at c.
	if got, want := answerAddrs(t, exchange(t, co, "svc.", miekg.TypeA)), ips(c, a); !reflect.DeepEqual(got, want) {
		t.Fatalf("after b left: %v, want %v", got, want)
	}
	mustJoin(t, tb, joinSpec{"n", "d", d, []string{"svc"}})
	// Turn 2 over [a c d].
	if got, want := answerAddrs(t, exchange(t, co, "svc.", miekg.TypeA)), ips(d, a, c); !reflect.DeepEqual(got, want) {
		t.Fatalf("after d joined: %v, want %v", got, want)
	}
	tb.LeaveAll(id("a"))
	tb.LeaveAll(id("c"))
	tb.LeaveAll(id("d"))
	if r := exchange(t, co, "svc.", miekg.TypeA); r.Rcode != miekg.RcodeNameError {
		t.Fatalf("after every member left: rcode %s, want NXDOMAIN", miekg.RcodeToString[r.Rcode])
	}
}

// Each container has its own rotation: what one resolves does not move what
// another sees next.
func TestRotationIsPerContainer(t *testing.T) {
	tb := threeMembers(t)
	mustJoin(t, tb, joinSpec{"n", "other", "10.0.0.8", nil})
	client := NewServer(tb, id("client"))
	other := NewServer(tb, id("other"))
	q := new(miekg.Msg).SetQuestion("svc.", miekg.TypeA)
	for range 2 {
		other.answer(q, true)
	}
	if got, want := answerAddrs(t, client.answer(q, true)), ips("10.0.0.1", "10.0.0.2", "10.0.0.3"); !reflect.DeepEqual(got, want) {
		t.Fatalf("client's first answer after other asked twice = %v, want %v", got, want)
	}
}

func TestLargeAnswerTruncatedOverUDPWholeOverTCP(t *testing.T) {
	tb := NewTable()
	mustJoin(t, tb, joinSpec{"n", "client", "10.0.1.1", nil})
	const members = 100
	for i := range members {
		mustJoin(t, tb, joinSpec{"n", fmt.Sprintf("m%d", i), fmt.Sprintf("10.0.0.%d", i+1), []string{"many"}})
	}
	ns, _ := serve(t, tb, id("client"))

	r := exchange(t, dial(t, ns, "udp"), "many.", miekg.TypeA)
	if !r.Truncated || len(r.Answer) == 0 || len(r.Answer) >= members {
		t.Fatalf("udp: tc=%v with %d answers, want tc and some but not all %d", r.Truncated, len(r.Answer), members)
	}
	r.Compress = true // as it was sent
	if n := r.Len(); n > miekg.MinMsgSize {
		t.Fatalf("udp answer is %d bytes, over %d", n, miekg.MinMsgSize)
	}

	q := new(miekg.Msg).SetQuestion("many.", miekg.TypeA)
	q.SetEdns0(4096, false)
	r, _, err := (&miekg.Client{Timeout: safetyTimeout}).ExchangeWithConn(q, dial(t, ns, "udp"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Truncated || len(r.Answer) != members || r.IsEdns0() == nil {
		t.Fatalf("udp with EDNS0 4096: tc=%v, %d answers, opt=%v; want all %d, an OPT record", r.Truncated, len(r.Answer), r.IsEdns0(), members)
	}

	r = exchange(t, dial(t, ns, "tcp"), "many.", miekg.TypeA)
	if r.Truncated || len(r.Answer) != members {
		t.Fatalf("tcp: tc=%v with %d answers, want all %d", r.Truncated, len(r.Answer), members)
	}
}

// serverGoroutines counts goroutines running a miekg server loop or handler.
func serverGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "github.com/miekg/dns.(*Server)") {
			count++
		}
	}
	return count
}

func TestCloseReleasesSocketsAndGoroutines(t *testing.T) {
	if n := serverGoroutines(); n != 0 {
		t.Fatalf("%d server goroutines before the test", n)
	}
	tb := world(t)
	ns := newNetNS(t)
	pc, l, err := ListenInNetNS(ns)
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(tb, id("client"))
	if err := s.Serve(pc, l); err != nil {
		t.Fatal(err)
	}
	exchange(t, dial(t, ns, "udp"), "web.", miekg.TypeA)
	idle := dial(t, ns, "tcp") // an open TCP connection must not keep Close waiting
	exchange(t, idle, "web.", miekg.TypeA)
	if n := serverGoroutines(); n < 3 {
		t.Fatalf("%d server goroutines while serving, want udp, tcp and the open connection's", n)
	}

	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if n := serverGoroutines(); n != 0 {
		t.Fatalf("%d server goroutines left after Close", n)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}

	pc, l, err = ListenInNetNS(ns)
	if err != nil {
		t.Fatalf("listen again on the same address after Close: %v", err)
	}
	s2 := NewServer(tb, id("client"))
	if err := s2.Serve(pc, l); err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if r := exchange(t, dial(t, ns, "tcp"), "web.", miekg.TypeA); len(r.Answer) != 3 {
		t.Fatalf("second server answered %v", r.Answer)
	}
}

func TestServeRefuses(t *testing.T) {
	tb := world(t)
	ns := newNetNS(t)

	s := NewServer(tb, id("client"))
	if err := s.Serve(nil, nil); err == nil || !strings.Contains(err.Error(), "need both") {
		t.Fatalf("Serve(nil, nil) = %v, want an error asking for both sockets", err)
	}

	pc, l, err := ListenInNetNS(ns)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(pc, l); err != nil {
		t.Fatal(err)
	}
	// A second Serve is refused and closes what it was given; a third party's
	// sockets on another port stand in for it.
	pc2, l2 := listenLocal(t, ns)
	if err := s.Serve(pc2, l2); err == nil || !strings.Contains(err.Error(), "already serving") {
		t.Fatalf("second Serve = %v, want already serving", err)
	}
	if _, err := l2.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("refused listener still open: accept = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	pc3, l3 := listenLocal(t, ns)
	if err := s.Serve(pc3, l3); !errors.Is(err, ErrClosed) {
		t.Fatalf("Serve after Close = %v, want ErrClosed", err)
	}
}

// listenLocal opens sockets on any free port of 127.0.0.1 in the namespace.
func listenLocal(t *testing.T, ns string) (net.PacketConn, net.Listener) {
	t.Helper()
	var pc net.PacketConn
	var l net.Listener
	err := nstest.Do(ns, func() error {
		var err error
		if pc, err = net.ListenPacket("udp4", "127.0.0.1:0"); err != nil {
			return err
		}
		l, err = net.Listen("tcp4", "127.0.0.1:0")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close(); l.Close() })
	return pc, l
}

func TestListenInNetNSErrors(t *testing.T) {
	missing := t.TempDir() + "/nosuch"
	if _, _, err := ListenInNetNS(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("ListenInNetNS(missing) = %v, want an error naming %s", err, missing)
	}

	up := newNetNS(t)
	pc, l, err := ListenInNetNS(up)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	defer l.Close()
	_, _, err = ListenInNetNS(up)
	if err == nil || !strings.Contains(err.Error(), "address already in use") || !strings.Contains(err.Error(), up) {
		t.Fatalf("second ListenInNetNS = %v, want address already in use, naming %s", err, up)
	}
}

// BenchmarkQuery measures one UDP round trip over lo inside a namespace,
// against a table of 100 endpoints, and reports the 99th percentile too.
func BenchmarkQuery(b *testing.B) {
	tb := NewTable()
	mustJoin(b, tb, joinSpec{"n", "client", "10.0.1.1", nil})
	for i := range 99 {
		mustJoin(b, tb, joinSpec{"n", fmt.Sprintf("m%d", i), fmt.Sprintf("10.0.0.%d", i+1), []string{fmt.Sprintf("alias%d", i%33)}})
	}
	ns, _ := serve(b, tb, id("client"))
	co := dial(b, ns, "udp")
	c := &miekg.Client{Timeout: safetyTimeout}
	q := new(miekg.Msg).SetQuestion("alias7.", miekg.TypeA) // 3 members

	var took []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		r, _, err := c.ExchangeWithConn(q, co)
		took = append(took, time.Since(start))
		if err != nil || len(r.Answer) != 3 {
			b.Fatalf("answer %v, err %v", r, err)
		}
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds()), "p99-ns")
}

// BenchmarkAnswer measures the handler alone (no sockets), same table.
func BenchmarkAnswer(b *testing.B) {
	tb := NewTable()
	mustJoin(b, tb, joinSpec{"n", "client", "10.0.1.1", nil})
	for i := range 99 {
		mustJoin(b, tb, joinSpec{"n", fmt.Sprintf("m%d", i), fmt.Sprintf("10.0.0.%d", i+1), []string{fmt.Sprintf("alias%d", i%33)}})
	}
	s := NewServer(tb, id("client"))
	q := new(miekg.Msg).SetQuestion("alias7.", miekg.TypeA)
	b.ReportAllocs()
	for b.Loop() {
		if r := s.answer(q, true); len(r.Answer) != 3 {
			b.Fatalf("answer %v", r.Answer)
		}
	}
}
