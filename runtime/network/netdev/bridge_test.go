package netdev

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func TestEnsureBridgeIsIdempotent(t *testing.T) {
	path, h := newHost(t)
	gw := mustPrefix("172.18.0.1/16")
	first, err := EnsureBridge(h, "br-0123456789ab", gw, 1400)
	if err != nil {
		t.Fatal(err)
	}
	second, err := EnsureBridge(h, "br-0123456789ab", gw, 1400)
	if err != nil {
		t.Fatalf("second EnsureBridge: %v", err)
	}
	if first.Attrs().Index != second.Attrs().Index {
		t.Fatalf("second call made a new bridge (index %d, then %d)", first.Attrs().Index, second.Attrs().Index)
	}
	if !slices.Equal(first.Attrs().HardwareAddr, second.Attrs().HardwareAddr) {
		t.Fatalf("bridge MAC changed from %s to %s", first.Attrs().HardwareAddr, second.Attrs().HardwareAddr)
	}
	br := iface(t, path, "br-0123456789ab")
	if br.Kind != "bridge" || !br.Up || br.MTU != 1400 {
		t.Fatalf("bridge = %+v, want an up bridge with mtu 1400", br)
	}
	if !slices.Equal(br.Addrs, []netip.Prefix{gw}) {
		t.Fatalf("bridge addresses = %v, want exactly [%s]", br.Addrs, gw)
	}
	if !hasRoute(br.Routes, "172.18.0.0/16", "") {
		t.Fatalf("bridge routes = %v, want the link route 172.18.0.0/16", br.Routes)
	}
	if br.MAC[0]&0x03 != 0x02 {
		t.Fatalf("bridge MAC %s is not a locally administered unicast address", br.MAC)
	}
}

func TestEnsureBridgeRepairsExisting(t *testing.T) {
	path, h := newHost(t)
	if _, err := EnsureBridge(h, "berth0", mustPrefix("172.17.0.1/16"), 0); err != nil {
		t.Fatal(err)
	}
	// A later engine run with another subnet, after someone set it down.
	link, err := h.LinkByName("berth0")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.LinkSetDown(link); err != nil {
		t.Fatal(err)
	}
	want := mustPrefix("192.168.0.1/20")
	if _, err := EnsureBridge(h, "berth0", want, 0); err != nil {
		t.Fatal(err)
	}
	br := iface(t, path, "berth0")
	if !br.Up {
		t.Fatal("bridge left down")
	}
	if !slices.Equal(br.Addrs, []netip.Prefix{want}) {
		t.Fatalf("bridge addresses = %v, want the stale one replaced by [%s]", br.Addrs, want)
	}
}

func TestEnsureBridgeRefuses(t *testing.T) {
	tests := []struct {
		name    string
		bridge  string
		gateway netip.Prefix
		mtu     int
		want    error
		text    string
	}{
		{"name too long", "br-0123456789abc", mustPrefix("172.18.0.1/16"), 0, ErrInvalidName, "at most 15 allowed"},
		{"existing veth", "vethx", mustPrefix("172.18.0.1/16"), 0, ErrWrongKind, "vethx is a veth, not a bridge"},
		{"no gateway", "br-x", netip.Prefix{}, 0, nil, "is not an address with a prefix length"},
		{"mtu", "br-x", mustPrefix("172.18.0.1/16"), 70000, nil, "mtu 70000 out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, h := newHost(t)
			addVethPair(t, h, "vethx", "vethy")
			_, err := EnsureBridge(h, tt.bridge, tt.gateway, tt.mtu)
			if err == nil || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("EnsureBridge = %v, want an error containing %q", err, tt.text)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("EnsureBridge = %v, want errors.Is %v", err, tt.want)
			}
			if got := linkNames(t, path); !slices.Equal(got, []string{"lo", "vethx", "vethy"}) {
				t.Fatalf("links after a refused EnsureBridge = %v, want nothing new", got)
			}
		})
	}
}

func TestEnsureBridgeRemovesWhatItCreatedOnFailure(t *testing.T) {
	path, h := newHost(t)
	// The kernel refuses IPv6 multicast as an interface address, so
	// configuring fails after the bridge was created.
	_, err := EnsureBridge(h, "br-bad", mustPrefix("ff02::1/64"), 0)
	if err == nil || !strings.Contains(err.Error(), "add gateway address ff02::1/64") {
		t.Fatalf("EnsureBridge with a multicast gateway = %v, want it to fail adding the address", err)
	}
	if got := linkNames(t, path); !slices.Equal(got, []string{"lo"}) {
		t.Fatalf("links after a failed EnsureBridge = %v, want only lo", got)
	}
}
