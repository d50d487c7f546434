package netdev

import (
	"errors"
	"net"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"

	"berth/runtime/network/nstest"
)

func mac(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

func endpoint(ifName, addr, macAddr, gw string, defaultRoute bool) Endpoint {
	return Endpoint{
		IfName:       ifName,
		Addr:         netip.MustParsePrefix(addr),
		MAC:          mac(macAddr),
		Gateway:      netip.MustParseAddr(gw),
		DefaultRoute: defaultRoute,
	}
}

var hostVethName = regexp.MustCompile(`^veth[0-9a-f]{8}$`)

func TestAttachVethTwoContainersTalk(t *testing.T) {
	host, h := newHost(t)
	br, err := EnsureBridge(h, "br-net1", mustPrefix("172.18.0.1/16"), 0)
	if err != nil {
		t.Fatal(err)
	}
	c1, c2 := nstest.New(t), nstest.New(t)
	eps := map[string]Endpoint{
		c1: endpoint("eth0", "172.18.0.2/16", "02:42:ac:12:00:02", "172.18.0.1", true),
		c2: endpoint("eth0", "172.18.0.3/16", "02:42:ac:12:00:03", "172.18.0.1", true),
	}
	var hostNames []string
	for _, c := range []string{c1, c2} {
		ep := eps[c]
		name, err := AttachVeth(h, "br-net1", c, ep)
		if err != nil {
			t.Fatal(err)
		}
		if !hostVethName.MatchString(name) {
			t.Fatalf("host name %q, want veth + 8 hex digits", name)
		}
		hostNames = append(hostNames, name)

		eth0 := iface(t, c, "eth0")
		if eth0.Kind != "veth" || !eth0.Up || eth0.MAC.String() != ep.MAC.String() {
			t.Fatalf("eth0 = %+v, want an up veth with MAC %s", eth0, ep.MAC)
		}
		if !slices.Equal(eth0.Addrs, []netip.Prefix{ep.Addr}) {
			t.Fatalf("eth0 addresses = %v, want [%s]", eth0.Addrs, ep.Addr)
		}
		if !hasRoute(eth0.Routes, "0.0.0.0/0", "172.18.0.1") || !hasRoute(eth0.Routes, "172.18.0.0/16", "") || len(eth0.Routes) != 2 {
			t.Fatalf("eth0 routes = %v, want default via 172.18.0.1 and the link route", eth0.Routes)
		}
		if got := linkNames(t, c); !slices.Equal(got, []string{"eth0", "lo"}) {
			t.Fatalf("container links = %v, want [eth0 lo]", got)
		}

		hostEnd, err := h.LinkByName(name)
		if err != nil {
			t.Fatalf("host end %s: %v", name, err)
		}
		if hostEnd.Attrs().MasterIndex != br.Attrs().Index || hostEnd.Attrs().Flags&net.FlagUp == 0 {
			t.Fatalf("host end %s: master %d up %v, want master %d (the bridge) and up",
				name, hostEnd.Attrs().MasterIndex, hostEnd.Attrs().Flags&net.FlagUp != 0, br.Attrs().Index)
		}
	}
	if hostNames[0] == hostNames[1] {
		t.Fatalf("both host ends are called %s", hostNames[0])
	}
	got, err := ListLinks(h, VethPrefix)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(hostNames)
	if !slices.Equal(got, hostNames) {
		t.Fatalf("host veths = %v, want %v", got, hostNames)
	}
	if hostLinks := linkNames(t, host); slices.Contains(hostLinks, "eth0") {
		t.Fatalf("a container end appeared in the host namespace: %v", hostLinks)
	}

	assertTCP(t, c1, c2, netip.MustParseAddr("172.18.0.2"))
	assertTCP(t, c2, c1, netip.MustParseAddr("172.18.0.3"))
}

func TestAttachSecondNetworkAndDisconnect(t *testing.T) {
	_, h := newHost(t)
	for name, gw := range map[string]string{"br-one": "172.18.0.1/16", "br-two": "172.19.0.1/16"} {
		if _, err := EnsureBridge(h, name, mustPrefix(gw), 0); err != nil {
			t.Fatal(err)
		}
	}
	c1, c2 := nstest.New(t), nstest.New(t)
	if _, err := AttachVeth(h, "br-one", c1, endpoint("eth0", "172.18.0.2/16", "02:42:ac:12:00:02", "172.18.0.1", true)); err != nil {
		t.Fatal(err)
	}
	// network connect: not the default route's network.
	second, err := AttachVeth(h, "br-two", c1, endpoint("eth1", "172.19.0.2/16", "02:42:ac:13:00:02", "172.19.0.1", false))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := AttachVeth(h, "br-two", c2, endpoint("eth0", "172.19.0.3/16", "02:42:ac:13:00:03", "172.19.0.1", true)); err != nil {
		t.Fatal(err)
	}

	eth0, eth1 := iface(t, c1, "eth0"), iface(t, c1, "eth1")
	if !hasRoute(eth0.Routes, "0.0.0.0/0", "172.18.0.1") {
		t.Fatalf("eth0 routes = %v, want the default route to stay on eth0", eth0.Routes)
	}
	if !slices.Equal(eth1.Routes, []Route{{Dst: mustPrefix("172.19.0.0/16")}}) {
		t.Fatalf("eth1 routes = %v, want only its link route", eth1.Routes)
	}
	if !slices.Equal(eth1.Addrs, []netip.Prefix{mustPrefix("172.19.0.2/16")}) {
		t.Fatalf("eth1 addresses = %v", eth1.Addrs)
	}
	assertTCP(t, c2, c1, netip.MustParseAddr("172.19.0.3"))

	if err := DetachInNS(c1, "eth1"); err != nil {
		t.Fatal(err)
	}
	if got := linkNames(t, c1); !slices.Equal(got, []string{"eth0", "lo"}) {
		t.Fatalf("links after disconnect = %v, want [eth0 lo]", got)
	}
	if _, err := h.LinkByName(second); err == nil {
		t.Fatalf("host end %s survived the disconnect", second)
	}
	if err := DetachInNS(c1, "eth1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second DetachInNS = %v, want ErrNotFound", err)
	}
}

func TestDetach(t *testing.T) {
	_, h := newHost(t)
	if _, err := EnsureBridge(h, "br-d", mustPrefix("10.5.0.1/24"), 0); err != nil {
		t.Fatal(err)
	}
	c := nstest.New(t)
	name, err := AttachVeth(h, "br-d", c, endpoint("eth0", "10.5.0.2/24", "02:42:0a:05:00:02", "10.5.0.1", true))
	if err != nil {
		t.Fatal(err)
	}
	if err := Detach(h, name); err != nil {
		t.Fatal(err)
	}
	if got := linkNames(t, c); !slices.Equal(got, []string{"lo"}) {
		t.Fatalf("container links after Detach = %v, want [lo]", got)
	}
	if got, _ := ListLinks(h, VethPrefix); len(got) != 0 {
		t.Fatalf("host veths after Detach = %v, want none", got)
	}
	if err := Detach(h, name); err != nil {
		t.Fatalf("Detach of a gone veth = %v, want nil", err)
	}
	if err := Detach(h, "br-d"); !errors.Is(err, ErrWrongKind) {
		t.Fatalf("Detach(bridge) = %v, want ErrWrongKind", err)
	}
	if _, err := h.LinkByName("br-d"); err != nil {
		t.Fatalf("the bridge is gone after a refused Detach: %v", err)
	}
}

func TestAttachVethFailuresLeaveNothing(t *testing.T) {
	good := endpoint("eth0", "172.18.0.2/16", "02:42:ac:12:00:02", "172.18.0.1", true)
	with := func(f func(*Endpoint)) Endpoint { ep := good; f(&ep); return ep }
	tests := []struct {
		name   string
		bridge string
		nsPath string // "" for a fresh container namespace
		ep     Endpoint
		want   error
		text   string
	}{
		{"missing bridge", "br-nosuch", "", good, ErrNotFound, "br-nosuch"},
		{"not a bridge", "vethx", "", good, ErrWrongKind, "vethx is a veth, not a bridge"},
		{"missing namespace", "br-t", "/nonexistent/netns", good, nil, "/nonexistent/netns"},
		{"if name too long", "br-t", "", with(func(e *Endpoint) { e.IfName = "eth0123456789abc" }), ErrInvalidName, "at most 15"},
		{"no address", "br-t", "", with(func(e *Endpoint) { e.Addr = netip.Prefix{} }), ErrInvalidEndpoint, "not an address with a prefix length"},
		{"short MAC", "br-t", "", with(func(e *Endpoint) { e.MAC = e.MAC[:4] }), ErrInvalidEndpoint, "not a 6-byte"},
		{"default route without gateway", "br-t", "", with(func(e *Endpoint) { e.Gateway = netip.Addr{} }), ErrInvalidEndpoint, "needs a gateway"},
		{"gateway family", "br-t", "", with(func(e *Endpoint) { e.Gateway = netip.MustParseAddr("fd00::1") }), ErrInvalidEndpoint, "different IP families"},
		{"bad mtu", "br-t", "", with(func(e *Endpoint) { e.MTU = -1 }), ErrInvalidEndpoint, "mtu -1"},
		// These fail inside the kernel, after the pair exists.
		{"unreachable gateway", "br-t", "", with(func(e *Endpoint) { e.Gateway = netip.MustParseAddr("10.9.9.9") }), nil, "add default route via 10.9.9.9"},
		{"multicast MAC", "br-t", "", with(func(e *Endpoint) { e.MAC = mac("03:00:00:00:00:01") }), nil, "create veth pair"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, h := newHost(t)
			if _, err := EnsureBridge(h, "br-t", mustPrefix("172.18.0.1/16"), 0); err != nil {
				t.Fatal(err)
			}
			addVethPair(t, h, "vethx", "vethy")
			hostBefore := linkNames(t, host)
			c := tt.nsPath
			if c == "" {
				c = nstest.New(t)
			}
			name, err := AttachVeth(h, tt.bridge, c, tt.ep)
			if err == nil || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("AttachVeth = %q, %v; want an error containing %q", name, err, tt.text)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("AttachVeth = %v, want errors.Is %v", err, tt.want)
			}
			if got := linkNames(t, host); !slices.Equal(got, hostBefore) {
				t.Fatalf("host links after the failure = %v, want %v", got, hostBefore)
			}
			if tt.nsPath == "" {
				if got := linkNames(t, c); !slices.Equal(got, []string{"lo"}) {
					t.Fatalf("container links after the failure = %v, want [lo]", got)
				}
			}
		})
	}
}

func TestAttachVethNameTakenInContainer(t *testing.T) {
	host, h := newHost(t)
	if _, err := EnsureBridge(h, "br-t", mustPrefix("172.18.0.1/16"), 0); err != nil {
		t.Fatal(err)
	}
	c := nstest.New(t)
	ep := endpoint("eth0", "172.18.0.2/16", "02:42:ac:12:00:02", "172.18.0.1", true)
	if _, err := AttachVeth(h, "br-t", c, ep); err != nil {
		t.Fatal(err)
	}
	hostBefore := linkNames(t, host)
	ep.Addr = mustPrefix("172.18.0.3/16")
	if _, err := AttachVeth(h, "br-t", c, ep); !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "eth0") {
		t.Fatalf("second eth0 = %v, want ErrExists naming eth0", err)
	}
	if got := linkNames(t, host); !slices.Equal(got, hostBefore) {
		t.Fatalf("host links = %v, want %v (no leftover veth)", got, hostBefore)
	}
}

func TestAttachVethMTU(t *testing.T) {
	_, h := newHost(t)
	if _, err := EnsureBridge(h, "br-m", mustPrefix("172.18.0.1/16"), 1400); err != nil {
		t.Fatal(err)
	}
	c := nstest.New(t)
	ep := endpoint("eth0", "172.18.0.2/16", "02:42:ac:12:00:02", "172.18.0.1", true)
	ep.MTU = 1400
	name, err := AttachVeth(h, "br-m", c, ep)
	if err != nil {
		t.Fatal(err)
	}
	hostEnd, err := h.LinkByName(name)
	if err != nil {
		t.Fatal(err)
	}
	if got := iface(t, c, "eth0").MTU; got != 1400 || hostEnd.Attrs().MTU != 1400 {
		t.Fatalf("mtu inside %d, host end %d; want 1400 on both", got, hostEnd.Attrs().MTU)
	}
}

// BenchmarkAttachVeth measures what the engine pays per container: a new
// network namespace plus a veth into it, configured, with default route.
func BenchmarkAttachVeth(b *testing.B) {
	_, h := newHost(b)
	if _, err := EnsureBridge(h, "br-bench", mustPrefix("172.18.0.1/16"), 0); err != nil {
		b.Fatal(err)
	}
	ep := endpoint("eth0", "172.18.0.2/16", "02:42:ac:12:00:02", "172.18.0.1", true)
	ep.MAC = nil // many endpoints on one bridge: let the kernel pick
	for b.Loop() {
		path, done := throwawayNS(b)
		if _, err := AttachVeth(h, "br-bench", path, ep); err != nil {
			done()
			b.Fatal(err)
		}
		// The kernel removes the pair once the namespace is gone.
		done()
	}
}

// With HostAddress the address is a /32 and the subnet an explicit
// on-link route: the same reachability, for glibc's sake (see Endpoint).
func TestAttachVethHostAddress(t *testing.T) {
	_, h := newHost(t)
	if _, err := EnsureBridge(h, "br-net1", mustPrefix("172.18.0.1/16"), 0); err != nil {
		t.Fatal(err)
	}
	c1, c2 := nstest.New(t), nstest.New(t)
	for i, c := range []string{c1, c2} {
		ep := endpoint("eth0", "172.18.0."+string(rune('2'+i))+"/16", "02:42:ac:12:00:0"+string(rune('2'+i)), "172.18.0.1", true)
		ep.HostAddress = true
		if _, err := AttachVeth(h, "br-net1", c, ep); err != nil {
			t.Fatal(err)
		}
		eth0 := iface(t, c, "eth0")
		want := netip.PrefixFrom(ep.Addr.Addr(), 32)
		if !slices.Equal(eth0.Addrs, []netip.Prefix{want}) {
			t.Fatalf("eth0 addresses = %v, want [%s]", eth0.Addrs, want)
		}
		if !hasRoute(eth0.Routes, "0.0.0.0/0", "172.18.0.1") || !hasRoute(eth0.Routes, "172.18.0.0/16", "") || len(eth0.Routes) != 2 {
			t.Fatalf("eth0 routes = %v, want default via 172.18.0.1 and the subnet on-link", eth0.Routes)
		}
	}
	assertTCP(t, c1, c2, netip.MustParseAddr("172.18.0.2"))
	assertTCP(t, c2, c1, netip.MustParseAddr("172.18.0.3"))
}

// Unbridge takes a host end off its bridge and leaves it otherwise alone.
func TestUnbridge(t *testing.T) {
	_, h := newHost(t)
	br, err := EnsureBridge(h, "br-net1", mustPrefix("172.18.0.1/16"), 0)
	if err != nil {
		t.Fatal(err)
	}
	c := nstest.New(t)
	name, err := AttachVeth(h, "br-net1", c, endpoint("eth0", "172.18.0.2/16", "02:42:ac:12:00:02", "172.18.0.1", true))
	if err != nil {
		t.Fatal(err)
	}
	if err := Unbridge(h, name); err != nil {
		t.Fatal(err)
	}
	link, err := h.LinkByName(name)
	if err != nil {
		t.Fatalf("Unbridge deleted the link: %v", err)
	}
	if link.Attrs().MasterIndex == br.Attrs().Index {
		t.Errorf("%s is still on the bridge", name)
	}
	if err := Unbridge(h, "vethmissing0"); err != nil {
		t.Errorf("Unbridge of a missing link = %v, want nil", err)
	}
	if err := Unbridge(h, "br-net1"); !errors.Is(err, ErrWrongKind) {
		t.Errorf("Unbridge of a bridge = %v, want ErrWrongKind", err)
	}
}
