package ipam

import (
	"errors"
	"net"
	"slices"
	"testing"

	"berth/runtime/network/nstest"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// setupDocker0Lookalike builds, inside the test namespace ns, a bridge with
// docker0's address 172.17.0.1/16 (a veth port gives it carrier), a veth
// pair with 10.9.8.7/24, an extra route and a default route.
func setupDocker0Lookalike(t *testing.T, h *netlink.Handle) {
	t.Helper()
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "br-test"}}
	if err := h.LinkAdd(br); err != nil {
		t.Fatalf("add bridge: %v", err)
	}
	port := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "port0"}, PeerName: "port1"}
	if err := h.LinkAdd(port); err != nil {
		t.Fatalf("add veth port: %v", err)
	}
	pair := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "veth0"}, PeerName: "veth1"}
	if err := h.LinkAdd(pair); err != nil {
		t.Fatalf("add veth pair: %v", err)
	}
	link := func(name string) netlink.Link {
		l, err := h.LinkByName(name)
		if err != nil {
			t.Fatalf("find %s: %v", name, err)
		}
		return l
	}
	if err := h.LinkSetMaster(link("port0"), link("br-test")); err != nil {
		t.Fatalf("enslave port0: %v", err)
	}
	for _, name := range []string{"br-test", "port0", "port1", "veth0", "veth1"} {
		if err := h.LinkSetUp(link(name)); err != nil {
			t.Fatalf("set %s up: %v", name, err)
		}
	}
	addAddr := func(name, cidr string) {
		a, err := netlink.ParseAddr(cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.AddrAdd(link(name), a); err != nil {
			t.Fatalf("add %s to %s: %v", cidr, name, err)
		}
	}
	addAddr("br-test", "172.17.0.1/16")
	addAddr("veth0", "10.9.8.7/24")
	routes := []netlink.Route{
		{LinkIndex: link("veth0").Attrs().Index, Dst: &net.IPNet{IP: net.IPv4(10, 50, 0, 0), Mask: net.CIDRMask(16, 32)}, Gw: net.IPv4(10, 9, 8, 1)},
		{LinkIndex: link("br-test").Attrs().Index, Gw: net.IPv4(172, 17, 0, 254)}, // default route
		{LinkIndex: link("veth0").Attrs().Index, Dst: &net.IPNet{IP: net.IPv4(10, 60, 0, 0), Mask: net.CIDRMask(16, 32)}, Gw: net.IPv4(10, 9, 8, 1), Table: 100},
		{LinkIndex: link("veth0").Attrs().Index, Gw: net.IPv4(10, 9, 8, 1), Table: 100}, // that table's default route
		{Dst: &net.IPNet{IP: net.IPv4(10, 70, 0, 0), Mask: net.CIDRMask(16, 32)}, Type: unix.RTN_BLACKHOLE},
	}
	for _, r := range routes {
		if err := h.RouteAdd(&r); err != nil {
			t.Fatalf("add route %v: %v", r, err)
		}
	}
}

func TestHostPrefixesInNamespace(t *testing.T) {
	path := nstest.New(t)
	h := nstest.Handle(t, path)
	setupDocker0Lookalike(t, h)

	want := []HostPrefix{
		{Prefix: pfx("172.17.0.1/16"), Dev: "br-test"},              // address of the bridge
		{Prefix: pfx("172.17.0.0/16"), Dev: "br-test", Route: true}, // its link route
		{Prefix: pfx("10.9.8.7/24"), Dev: "veth0"},
		{Prefix: pfx("10.9.8.0/24"), Dev: "veth0", Route: true},
		{Prefix: pfx("10.50.0.0/16"), Dev: "veth0", Route: true},
		{Prefix: pfx("10.60.0.0/16"), Dev: "veth0", Route: true}, // in a table of its own
		{Prefix: pfx("10.70.0.0/16"), Route: true},               // a blackhole: no interface
	}
	check := func(name string, got []HostPrefix) {
		t.Helper()
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: HostPrefixes = %v, missing %v", name, got, w)
			}
		}
		for _, p := range got {
			if p.Prefix.Bits() == 0 || !p.Prefix.Addr().Is4() {
				t.Errorf("%s: HostPrefixes holds %v, want only IPv4 non-default prefixes", name, p)
			}
		}
		sub, err := PickSubnet(DefaultBridgePools(), Prefixes(got))
		if err != nil {
			t.Fatal(err)
		}
		if sub != pfx("172.18.0.0/24") {
			t.Errorf("%s: PickSubnet with a docker0 lookalike = %s, want 172.18.0.0/24", name, sub)
		}
		err = CheckHost(pfx("10.60.128.0/24"), got)
		const msg = "subnet 10.60.128.0/24 overlaps the host's route 10.60.0.0/16 on veth0: choose another subnet"
		if !errors.Is(err, ErrShadowsHost) || err.Error() != msg {
			t.Errorf("%s: CheckHost = %v, want %q", name, err, msg)
		}
	}

	// The skip of the default route must really be exercised.
	raw, err := h.RouteList(nil, netlink.FAMILY_V4)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(raw, func(r netlink.Route) bool { return r.Dst == nil || r.Dst.IP.IsUnspecified() }) {
		t.Fatalf("setup: no default route among %v", raw)
	}

	got, err := HostPrefixes(h)
	if err != nil {
		t.Fatal(err)
	}
	check("handle", got)

	// A nil handle reads the namespace of the calling thread.
	err = nstest.Do(path, func() error {
		got, err = HostPrefixes(nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	check("nil handle inside the namespace", got)
}

func TestHostPrefixesEmptyNamespace(t *testing.T) {
	path := nstest.New(t)
	var got []HostPrefix
	err := nstest.Do(path, func() error {
		var err error
		got, err = HostPrefixes(nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// lo is down in a fresh namespace, so there is nothing at all.
	if len(got) != 0 {
		t.Fatalf("HostPrefixes in a fresh namespace = %v, want none", got)
	}
}

// TestHostPrefixesHost only reads the host's tables.
func TestHostPrefixesHost(t *testing.T) {
	got, err := HostPrefixes(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got, HostPrefix{Prefix: pfx("127.0.0.1/8"), Dev: "lo"}) {
		t.Errorf("HostPrefixes on the host = %v, want it to include lo's 127.0.0.1/8", got)
	}
	for _, p := range got {
		if p.Prefix.Bits() == 0 || !p.Prefix.Addr().Is4() {
			t.Errorf("HostPrefixes on the host holds %s, want only IPv4 non-default prefixes", p)
		}
	}
}

func TestPrefixOf(t *testing.T) {
	tests := []struct {
		n      *net.IPNet
		want   string
		wantOK bool
	}{
		{&net.IPNet{IP: net.IPv4(10, 0, 2, 15), Mask: net.CIDRMask(24, 32)}, "10.0.2.15/24", true},
		{&net.IPNet{IP: net.IP{10, 0, 2, 15}, Mask: net.CIDRMask(24, 32)}, "10.0.2.15/24", true},
		{&net.IPNet{IP: net.IPv4(10, 0, 0, 0), Mask: net.CIDRMask(104, 128)}, "10.0.0.0/8", true},
		{&net.IPNet{IP: net.ParseIP("fd00::1"), Mask: net.CIDRMask(64, 128)}, "", false},
		{nil, "", false},
	}
	for _, tt := range tests {
		got, ok := prefixOf(tt.n)
		if ok != tt.wantOK || (ok && got != pfx(tt.want)) {
			t.Errorf("prefixOf(%v) = %s, %v; want %s, %v", tt.n, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestCheckHost(t *testing.T) {
	host := []HostPrefix{
		{Prefix: pfx("127.0.0.1/8"), Dev: "lo"},
		{Prefix: pfx("192.0.2.2/24"), Dev: "eth0"},
		{Prefix: pfx("192.0.2.0/24"), Dev: "eth0", Route: true},
		{Prefix: pfx("10.70.0.0/16"), Route: true},
		{Prefix: pfx("172.17.3.1/24"), Dev: "berth1a2b3c4d"},
	}
	tests := []struct{ subnet, want string }{
		{"10.1.0.0/16", ""},
		{"172.17.4.0/24", ""},
		{"192.0.2.128/25", "subnet 192.0.2.128/25 overlaps the host's address 192.0.2.2/24 on eth0: choose another subnet"},
		{"192.0.0.0/16", "subnet 192.0.0.0/16 overlaps the host's address 192.0.2.2/24 on eth0: choose another subnet"},
		{"10.70.9.0/24", "subnet 10.70.9.0/24 overlaps the host's route 10.70.0.0/16: choose another subnet"},
		{"172.17.3.0/24", "subnet 172.17.3.0/24 overlaps the host's address 172.17.3.1/24 on berth1a2b3c4d: choose another subnet"},
		{"127.0.0.0/8", "subnet 127.0.0.0/8 overlaps the host's address 127.0.0.1/8 on lo: choose another subnet"},
	}
	for _, tt := range tests {
		err := CheckHost(pfx(tt.subnet), host)
		if tt.want == "" {
			if err != nil {
				t.Errorf("CheckHost(%s) = %v, want nil", tt.subnet, err)
			}
			continue
		}
		if err == nil || err.Error() != tt.want || !errors.Is(err, ErrShadowsHost) {
			t.Errorf("CheckHost(%s) = %v, want %q (ErrShadowsHost)", tt.subnet, err, tt.want)
		}
	}
}
