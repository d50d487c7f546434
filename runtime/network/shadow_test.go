package network

import (
	"berth/runtime/hostmark"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"

	"berth/runtime/network/ipam"
	"berth/runtime/network/netdev"
	"berth/runtime/network/nstest"
)

// nsHost is a throwaway namespace that plays the host: lo up, an uplink
// veth with 10.9.8.7/24 and the default route, and a route to 10.50.0.0/16.
type nsHost struct {
	h *netlink.Handle
}

func newNSHost(t *testing.T) nsHost {
	t.Helper()
	h := nstest.Handle(t, nstest.New(t))
	n := nsHost{h}
	n.must(t, "lo up", h.LinkSetUp(n.link(t, "lo")))
	n.veth(t, "uplink0", "uplink1")
	n.must(t, "uplink address", h.AddrAdd(n.link(t, "uplink0"), mustAddr("10.9.8.7/24")))
	up := n.link(t, "uplink0").Attrs().Index
	for _, r := range []netlink.Route{
		{LinkIndex: up, Gw: net.IPv4(10, 9, 8, 1)},
		{LinkIndex: up, Dst: mustAddr("10.50.0.0/16").IPNet, Gw: net.IPv4(10, 9, 8, 1)},
	} {
		n.must(t, "add route", h.RouteAdd(&r))
	}
	return n
}

func (n nsHost) link(t *testing.T, name string) netlink.Link {
	t.Helper()
	l, err := n.h.LinkByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (n nsHost) veth(t *testing.T, a, b string) {
	t.Helper()
	n.must(t, "add veth", n.h.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: a}, PeerName: b}))
	n.must(t, "veth up", n.h.LinkSetUp(n.link(t, a)))
	n.must(t, "veth up", n.h.LinkSetUp(n.link(t, b)))
}

func (nsHost) must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// manager is a root whose "host" is the namespace: every bridge it makes
// lives and dies there.
func (n nsHost) manager(t *testing.T) *Manager {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "networks")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return &Manager{dir: dir, host: n.h, owner: ownerTag(t, "live"), alive: alive, rootID: hostmark.RootID(filepath.Dir(dir))}
}

func (n nsHost) links(t *testing.T) []string {
	t.Helper()
	names, err := netdev.ListLinks(n.h, "")
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func mustAddr(s string) *netlink.Addr {
	a, err := netlink.ParseAddr(s)
	if err != nil {
		panic(err)
	}
	return a
}

// Each default bridge takes the next /24 of 172.17.0.0/16 and each user
// network one of 172.18.0.0/16 and up, so many files fit at once; a second
// root on the same host sees the first one's bridges as host addresses.
func TestSubnetsAreSlash24s(t *testing.T) {
	host := newNSHost(t)
	m, other := host.manager(t), host.manager(t)
	create := func(m *Manager, name string, def bool) Record {
		t.Helper()
		rec, err := m.Create(CreateSpec{Name: name, Default: def})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return rec
	}
	checks := []struct {
		rec           Record
		subnet, gwant string
	}{
		{create(m, "file1_bridge", true), "172.17.0.0/24", "172.17.0.1"},
		{create(m, "file2_bridge", true), "172.17.1.0/24", "172.17.1.1"},
		{create(m, "net_a", false), "172.18.0.0/24", "172.18.0.1"},
		{create(m, "net_b", false), "172.18.1.0/24", "172.18.1.1"},
		{create(other, "file3_bridge", true), "172.17.2.0/24", "172.17.2.1"},
		{create(other, "net_c", false), "172.18.2.0/24", "172.18.2.1"},
	}
	for _, c := range checks {
		if c.rec.Subnet.String() != c.subnet || c.rec.Gateway.String() != c.gwant {
			t.Errorf("%s: subnet %s gateway %s, want %s and %s", c.rec.Name, c.rec.Subnet, c.rec.Gateway, c.subnet, c.gwant)
		}
	}
	// A freed /24 is the next one handed out.
	if err := m.Remove(checks[0].rec); err != nil {
		t.Fatal(err)
	}
	if rec := create(other, "file4_bridge", true); rec.Subnet.String() != "172.17.0.0/24" {
		t.Errorf("after removing the first bridge, the next one got %s, want 172.17.0.0/24", rec.Subnet)
	}
}

// A running docker0 holds 172.17.0.0/16: default bridges go on to 172.18.
func TestDefaultBridgeAvoidsDocker0(t *testing.T) {
	host := newNSHost(t)
	host.must(t, "add docker0", host.h.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "docker0"}}))
	host.must(t, "docker0 address", host.h.AddrAdd(host.link(t, "docker0"), mustAddr("172.17.0.1/16")))
	rec, err := host.manager(t).Create(CreateSpec{Name: "bridge", Default: true})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Subnet.String() != "172.18.0.0/24" {
		t.Errorf("default bridge beside docker0 = %s, want 172.18.0.0/24", rec.Subnet)
	}
}

// Subnets that would shadow the host are refused, naming both, and nothing
// is left behind.
func TestSubnetsThatShadowTheHostAreRefused(t *testing.T) {
	host := newNSHost(t)
	m := host.manager(t)
	host.veth(t, "parent0", "parent1")
	before := host.links(t)
	tests := []struct {
		driver, subnet, want string
	}{
		{"bridge", "169.254.0.0/16", "subnet 169.254.0.0/16 overlaps 169.254.0.0/16, the link-local range, where the cloud metadata service answers at 169.254.169.254: choose another subnet"},
		{"bridge", "169.254.169.0/24", "subnet 169.254.169.0/24 overlaps 169.254.0.0/16, the link-local range"},
		{"macvlan", "169.254.0.0/16", "subnet 169.254.0.0/16 overlaps 169.254.0.0/16, the link-local range"},
		{"bridge", "0.0.0.0/8", `subnet 0.0.0.0/8 overlaps 0.0.0.0/8, "this network"`},
		{"bridge", "127.0.0.0/16", "subnet 127.0.0.0/16 overlaps 127.0.0.0/8, the loopback range"},
		{"bridge", "224.0.0.0/24", "subnet 224.0.0.0/24 overlaps 224.0.0.0/4, the multicast range"},
		{"bridge", "240.0.0.0/24", "subnet 240.0.0.0/24 overlaps 240.0.0.0/4, the reserved range"},
		{"bridge", "255.255.255.0/24", "subnet 255.255.255.0/24 overlaps 240.0.0.0/4, the reserved range 240.0.0.0/4 (with the broadcast address 255.255.255.255)"},
		{"bridge", "10.9.8.0/25", "subnet 10.9.8.0/25 overlaps the host's address 10.9.8.7/24 on uplink0: choose another subnet"},
		{"bridge", "10.50.3.0/24", "subnet 10.50.3.0/24 overlaps the host's route 10.50.0.0/16 on uplink0: choose another subnet"},
	}
	for _, tt := range tests {
		_, err := m.Create(CreateSpec{Name: "n", Driver: tt.driver, Subnet: tt.subnet, Options: map[string]string{"parent": "parent0"}})
		if !errors.Is(err, ipam.ErrShadowsHost) || !containsText(err, tt.want) {
			t.Errorf("%s on %s: error = %v, want %q", tt.driver, tt.subnet, err, tt.want)
		}
	}
	if got := host.links(t); !slices.Equal(got, before) {
		t.Errorf("links after the refusals = %v, want %v", got, before)
	}
	if all, err := m.List(); err != nil || len(all) != 0 {
		t.Errorf("records after the refusals = %v, %v; want none", all, err)
	}
}

// A macvlan parent must be an interface of its own: not lo, not a bridge
// (berth's own or docker0), not the uplink.
func TestMacvlanParentsAreChecked(t *testing.T) {
	host := newNSHost(t)
	m := host.manager(t)
	host.veth(t, "parent0", "parent1")
	br, err := m.Create(CreateSpec{Name: "file_bridge", Default: true})
	if err != nil {
		t.Fatal(err)
	}
	host.must(t, "add docker0", host.h.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "docker0"}}))
	tests := []struct{ parent, want string }{
		{"lo", "macvlan parent lo is the loopback interface"},
		{"docker0", "macvlan parent docker0 is a bridge"},
		{br.Device, "macvlan parent " + br.Device + " is a bridge"},
		{"uplink0", "macvlan parent uplink0 carries a default route of the host (default via 10.9.8.1)"},
	}
	for _, tt := range tests {
		_, err := m.Create(CreateSpec{Name: "mv", Driver: DriverMacvlan, Subnet: "10.77.0.0/24", Options: map[string]string{"parent": tt.parent}})
		if !errors.Is(err, netdev.ErrBadParent) || !containsText(err, tt.want) {
			t.Errorf("parent %s: error = %v, want %q", tt.parent, err, tt.want)
		}
	}
	rec, err := m.Create(CreateSpec{Name: "mv", Driver: DriverMacvlan, Subnet: "10.77.0.0/24", Options: map[string]string{"parent": "parent0"}})
	if err != nil || rec.Device != "parent0" {
		t.Errorf("a veth end as parent: %+v, %v; want it accepted", rec, err)
	}
}

func containsText(err error, s string) bool {
	return err != nil && strings.Contains(err.Error(), s)
}
