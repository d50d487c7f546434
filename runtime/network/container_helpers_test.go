package network

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	miekg "github.com/miekg/dns"

	"berth/runtime/kinderr"
	"berth/runtime/network/dns"
	"berth/runtime/network/nstest"
	"berth/runtime/spec"
)

// hangGuard bounds blocking test I/O so that a bug fails a test instead
// of hanging it; nothing asserts on time.
const hangGuard = 10 * time.Second

var errNoSuchContainer = errors.New("no such container")

// testScope is a sandbox for ContainerNet: networks and containers by
// the scenario's names, and one DNS table.
type testScope struct {
	nets  map[string]Record
	ctrs  map[string]*ContainerNet
	table *dns.Table
}

func newScope() *testScope {
	return &testScope{nets: map[string]Record{}, ctrs: map[string]*ContainerNet{}, table: dns.NewTable()}
}

func (s *testScope) Network(name string) (Record, error) {
	r, ok := s.nets[name]
	if !ok {
		return Record{}, errorf(ErrNotFound, "network %s not found", name)
	}
	return r, nil
}

func (s *testScope) Container(ref string) (*ContainerNet, error) {
	c, ok := s.ctrs[ref]
	if !ok {
		return nil, kinderr.Errorf(errNoSuchContainer, "No such container: %s", ref)
	}
	return c, nil
}

func (s *testScope) DNS() *dns.Table { return s.table }

// addNetwork creates a network on m (a bridge on the host, removed at
// cleanup) and makes it known to the scope as name.
func (s *testScope) addNetwork(t *testing.T, m *Manager, name string, cs CreateSpec) Record {
	t.Helper()
	cs.Name = name + "-" + randomHex(4)
	rec, err := m.Create(cs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.destroy(rec); err != nil {
			t.Errorf("remove network %s: %v", name, err)
		}
	})
	rec.Name = name
	s.nets[name] = rec
	return rec
}

// newContainer makes the networking of a container named name (its
// directory a temporary one, its /etc files written) and makes it known
// to the scope.
func (s *testScope) newContainer(t *testing.T, m *Manager, name string, cs spec.Container) *ContainerNet {
	t.Helper()
	n, err := m.NewContainerNet(s, ContainerConfig{ID: randomHex(32), Name: name, Dir: t.TempDir(), Spec: cs})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.WriteEtcFiles(); err != nil {
		t.Fatal(err)
	}
	s.ctrs[name] = n
	return n
}

// setup runs n.Setup in ns and tears it down at cleanup.
func setup(t *testing.T, n *ContainerNet, ns string) {
	t.Helper()
	if err := n.Setup(ns); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Teardown)
}

func randomHex(bytes int) string {
	b := make([]byte, bytes)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// containerNS is a throwaway network namespace with lo up, as a
// container's is when Setup runs.
func containerNS(t *testing.T) string {
	t.Helper()
	ns := nstest.New(t)
	h := nstest.Handle(t, ns)
	lo, err := h.LinkByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.LinkSetUp(lo); err != nil {
		t.Fatal(err)
	}
	return ns
}

// listenIn opens a socket inside the namespace (it stays there, whichever
// thread uses it afterwards), closed at cleanup.
func listenIn[T interface{ Close() error }](t *testing.T, ns string, listen func() (T, error)) T {
	t.Helper()
	var l T
	err := nstest.Do(ns, func() error {
		var err error
		l, err = listen()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// resolveIn asks the embedded DNS server at 127.0.0.11 inside ns for
// name's A records, over TCP so that a closed server is refused at once.
func resolveIn(ns, name string) ([]string, error) {
	var co *miekg.Conn
	err := nstest.Do(ns, func() error {
		var err error
		co, err = miekg.DialTimeout("tcp", dns.Address, hangGuard)
		return err
	})
	if err != nil {
		return nil, err
	}
	defer co.Close()
	c := &miekg.Client{Net: "tcp", Timeout: hangGuard}
	r, _, err := c.ExchangeWithConn(new(miekg.Msg).SetQuestion(name+".", miekg.TypeA), co)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rr := range r.Answer {
		if a, ok := rr.(*miekg.A); ok {
			out = append(out, a.A.String())
		}
	}
	return out, nil
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// portFree reports whether a TCP or UDP port on 127.0.0.1 can be bound.
func portFree(proto, port string) bool {
	addr := net.JoinHostPort("127.0.0.1", port)
	if proto == "udp" {
		pc, err := net.ListenPacket("udp4", addr)
		if err == nil {
			pc.Close()
		}
		return err == nil
	}
	l, err := net.Listen("tcp4", addr)
	if err == nil {
		l.Close()
	}
	return err == nil
}

func netipAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
