package netdev

import (
	"errors"
	"net"
	"testing"

	"github.com/vishvananda/netlink"
)

// TestCheckMacvlanParent builds, in a namespace that plays the host, one
// interface of each kind a parent may or may not be, and checks each.
func TestCheckMacvlanParent(t *testing.T) {
	_, h := newHost(t)
	link := func(name string) netlink.Link {
		t.Helper()
		l, err := h.LinkByName(name)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("lo up", h.LinkSetUp(link("lo")))
	for _, pair := range [][2]string{{"ok0", "ok1"}, {"port0", "port1"}, {"up4a", "up4b"}, {"tbl0", "tbl1"}, {"up6a", "up6b"}, {"mp0", "mp1"}} {
		addVethPair(t, h, pair[0], pair[1])
	}
	if _, err := EnsureBridge(h, "br-test", mustPrefix("10.30.0.1/24"), 0); err != nil {
		t.Fatal(err)
	}
	must("enslave port0", h.LinkSetMaster(link("port0"), link("br-test")))
	addr, _ := netlink.ParseAddr("10.40.0.2/24")
	must("address on up4a", h.AddrAdd(link("up4a"), addr))
	gw := net.IPv4(10, 40, 0, 1)
	addr, _ = netlink.ParseAddr("10.41.0.2/24")
	must("address on tbl0", h.AddrAdd(link("tbl0"), addr))
	addr, _ = netlink.ParseAddr("10.42.0.2/24")
	must("address on mp0", h.AddrAdd(link("mp0"), addr))
	routes := []netlink.Route{
		{LinkIndex: link("up4a").Attrs().Index, Gw: gw}, // the main table's default route
		{LinkIndex: link("tbl0").Attrs().Index, Gw: net.IPv4(10, 41, 0, 1), Table: 200},
		{LinkIndex: link("up6a").Attrs().Index, Dst: &net.IPNet{IP: net.IPv6zero, Mask: net.CIDRMask(0, 128)}},
		{Table: 201, Dst: &net.IPNet{IP: net.IPv4zero, Mask: net.CIDRMask(0, 32)}, MultiPath: []*netlink.NexthopInfo{
			{LinkIndex: link("mp1").Attrs().Index},
			{LinkIndex: link("mp0").Attrs().Index, Gw: net.IPv4(10, 42, 0, 1)},
		}},
	}
	for _, r := range routes {
		must("add route", h.RouteAdd(&r))
	}

	tests := []struct {
		parent string
		want   error
		text   string
	}{
		{"ok1", nil, ""},
		{"up4b", nil, ""}, // the peer of an uplink is not the uplink
		{"nosuch0", ErrParentNotFound, "-o parent interface was not found on the host: nosuch0"},
		{"lo", ErrBadParent, "macvlan parent lo is the loopback interface: "},
		{"br-test", ErrBadParent, "macvlan parent br-test is a bridge: "},
		{"port0", ErrBadParent, "macvlan parent port0 is a port of bridge br-test: "},
		{"up4a", ErrBadParent, "macvlan parent up4a carries a default route of the host (default via 10.40.0.1): "},
		{"tbl0", ErrBadParent, "macvlan parent tbl0 carries a default route of the host (default via 10.41.0.1 in table 200): "},
		{"up6a", ErrBadParent, "macvlan parent up6a carries a default route of the host (default): "},
		{"mp0", ErrBadParent, "macvlan parent mp0 carries a default route of the host (default in table 201): "},
		{"a/b", ErrInvalidName, "macvlan parent: invalid interface name"},
	}
	const tail = "berth puts macvlan containers only on an interface of their own (in a scenario, one end of host.veth_pair())"
	for _, tt := range tests {
		err := CheckMacvlanParent(h, tt.parent)
		if tt.want == nil {
			if err != nil {
				t.Errorf("CheckMacvlanParent(%s) = %v, want nil", tt.parent, err)
			}
			continue
		}
		if !errors.Is(err, tt.want) || !containsText(err, tt.text) {
			t.Errorf("CheckMacvlanParent(%s) = %v, want %v containing %q", tt.parent, err, tt.want, tt.text)
		}
		if errors.Is(err, ErrBadParent) && !containsText(err, tail) {
			t.Errorf("CheckMacvlanParent(%s) = %v, want it to say what to use instead", tt.parent, err)
		}
	}
}
