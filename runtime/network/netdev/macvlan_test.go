package netdev

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"berth/runtime/network/nstest"

	"github.com/vishvananda/netlink"
)

func TestAttachMacvlanContainersTalk(t *testing.T) {
	host, h := newHost(t)
	addVethPair(t, h, "mvparent", "mvpeer")
	c1, c2 := nstest.New(t), nstest.New(t)
	eps := map[string]Endpoint{
		c1: endpoint("eth0", "192.168.50.10/24", "02:42:c0:a8:32:0a", "192.168.50.1", true),
		c2: endpoint("eth0", "192.168.50.11/24", "02:42:c0:a8:32:0b", "192.168.50.1", true),
	}
	for _, c := range []string{c1, c2} {
		ep := eps[c]
		if err := AttachMacvlan(h, "mvparent", "bridge", c, ep); err != nil {
			t.Fatal(err)
		}
		eth0 := iface(t, c, "eth0")
		if eth0.Kind != "macvlan" || !eth0.Up || eth0.MAC.String() != ep.MAC.String() {
			t.Fatalf("eth0 = %+v, want an up macvlan with MAC %s", eth0, ep.MAC)
		}
		if !slices.Equal(eth0.Addrs, []netip.Prefix{ep.Addr}) {
			t.Fatalf("eth0 addresses = %v, want [%s]", eth0.Addrs, ep.Addr)
		}
		if !hasRoute(eth0.Routes, "0.0.0.0/0", "192.168.50.1") || !hasRoute(eth0.Routes, "192.168.50.0/24", "") {
			t.Fatalf("eth0 routes = %v, want default via 192.168.50.1 and the link route", eth0.Routes)
		}
	}
	if got := linkNames(t, host); !slices.Equal(got, []string{"lo", "mvparent", "mvpeer"}) {
		t.Fatalf("host links = %v, want only the parent pair (no temporary macvlan left)", got)
	}
	assertTCP(t, c1, c2, netip.MustParseAddr("192.168.50.10"))

	if err := DetachInNS(c1, "eth0"); err != nil {
		t.Fatal(err)
	}
	if got := linkNames(t, c1); !slices.Equal(got, []string{"lo"}) {
		t.Fatalf("links after DetachInNS = %v, want [lo]", got)
	}
}

func TestAttachMacvlanModes(t *testing.T) {
	tests := []struct {
		mode string
		want netlink.MacvlanMode
	}{
		{"", netlink.MACVLAN_MODE_BRIDGE},
		{"bridge", netlink.MACVLAN_MODE_BRIDGE},
		{"private", netlink.MACVLAN_MODE_PRIVATE},
		{"vepa", netlink.MACVLAN_MODE_VEPA},
		{"passthru", netlink.MACVLAN_MODE_PASSTHRU},
	}
	for _, tt := range tests {
		t.Run("mode="+tt.mode, func(t *testing.T) {
			_, h := newHost(t)
			addVethPair(t, h, "mvparent", "mvpeer")
			c := nstest.New(t)
			ep := endpoint("eth0", "192.168.50.10/24", "02:42:c0:a8:32:0a", "192.168.50.1", true)
			ep.MAC = nil // passthru takes the parent's
			if err := AttachMacvlan(h, "mvparent", tt.mode, c, ep); err != nil {
				t.Fatal(err)
			}
			link, err := handleAt(t, c).LinkByName("eth0")
			if err != nil {
				t.Fatal(err)
			}
			mv, ok := link.(*netlink.Macvlan)
			if !ok {
				t.Fatalf("eth0 is a %s, want macvlan", link.Type())
			}
			if mv.Mode != tt.want {
				t.Fatalf("mode = %v, want %v", mv.Mode, tt.want)
			}
		})
	}
}

func TestAttachMacvlanErrors(t *testing.T) {
	good := endpoint("eth0", "192.168.50.10/24", "02:42:c0:a8:32:0a", "192.168.50.1", true)
	unreachable := good
	unreachable.Gateway = netip.MustParseAddr("10.1.1.1")
	tests := []struct {
		name   string
		parent string
		mode   string
		ep     Endpoint
		want   error
		text   string // the whole message when exact, else a part
		exact  bool
	}{
		{"parent missing", "nosuch0", "bridge", good, ErrParentNotFound, "-o parent interface was not found on the host: nosuch0", true},
		{"bad mode", "mvparent", "foo", good, ErrInvalidMacvlanMode, "requested macvlan mode 'foo' is not valid, 'bridge' mode is the macvlan default", true},
		{"parent name too long", "mvparent0123456789", "bridge", good, ErrInvalidName, "at most 15", false},
		{"unreachable gateway", "mvparent", "bridge", unreachable, nil, "add default route via 10.1.1.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, h := newHost(t)
			addVethPair(t, h, "mvparent", "mvpeer")
			c := nstest.New(t)
			err := AttachMacvlan(h, tt.parent, tt.mode, c, tt.ep)
			switch {
			case err == nil:
				t.Fatalf("AttachMacvlan succeeded, want %q", tt.text)
			case tt.exact && err.Error() != tt.text:
				t.Fatalf("AttachMacvlan error = %q, want exactly %q", err, tt.text)
			case !tt.exact && !containsText(err, tt.text):
				t.Fatalf("AttachMacvlan error = %q, want it to contain %q", err, tt.text)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Fatalf("AttachMacvlan error = %v, want errors.Is %v", err, tt.want)
			}
			if got := linkNames(t, c); !slices.Equal(got, []string{"lo"}) {
				t.Fatalf("container links after the failure = %v, want [lo]", got)
			}
			if got := linkNames(t, host); !slices.Equal(got, []string{"lo", "mvparent", "mvpeer"}) {
				t.Fatalf("host links after the failure = %v, want nothing new", got)
			}
		})
	}
}

func TestAttachMacvlanNameTakenInContainer(t *testing.T) {
	_, h := newHost(t)
	addVethPair(t, h, "mvparent", "mvpeer")
	c := nstest.New(t)
	ep := endpoint("eth0", "192.168.50.10/24", "02:42:c0:a8:32:0a", "192.168.50.1", true)
	if err := AttachMacvlan(h, "mvparent", "bridge", c, ep); err != nil {
		t.Fatal(err)
	}
	ep.Addr = mustPrefix("192.168.50.11/24")
	if err := AttachMacvlan(h, "mvparent", "bridge", c, ep); !errors.Is(err, ErrExists) {
		t.Fatalf("second eth0 = %v, want ErrExists", err)
	}
	if got := iface(t, c, "eth0").Addrs; !slices.Equal(got, []netip.Prefix{mustPrefix("192.168.50.10/24")}) {
		t.Fatalf("the existing eth0 was changed: addresses %v", got)
	}
}

func containsText(err error, s string) bool {
	return err != nil && strings.Contains(err.Error(), s)
}

// BenchmarkAttachMacvlan: a new network namespace plus a macvlan created
// directly inside it, configured, with default route.
func BenchmarkAttachMacvlan(b *testing.B) {
	_, h := newHost(b)
	addVethPair(b, h, "mvparent", "mvpeer")
	ep := endpoint("eth0", "192.168.50.10/24", "02:42:c0:a8:32:0a", "192.168.50.1", true)
	ep.MAC = nil // many endpoints on one parent: let the kernel pick
	for b.Loop() {
		path, done := throwawayNS(b)
		if err := AttachMacvlan(h, "mvparent", "bridge", path, ep); err != nil {
			done()
			b.Fatal(err)
		}
		done()
	}
}
