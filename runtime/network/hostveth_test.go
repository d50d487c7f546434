package network

import (
	"net"
	"os"
	"testing"

	"github.com/vishvananda/netlink"

	"berth/runtime/hostmark"
	"berth/runtime/store"
)

// Both ends carry this process as their owner, so that berth gc finds
// the pair if the run is killed, and are up; Remove takes both, twice
// without error.
func TestHostVethPairIsMarkedUpAndRemoved(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("veth pairs need root")
	}
	me, err := store.Self()
	if err != nil {
		t.Fatal(err)
	}
	m := newManager(t, "live")
	a, b, err := m.CreateVethPair()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.RemoveVethPair(a) })
	for _, name := range []string{a, b} {
		link, err := netlink.LinkByName(name)
		if err != nil {
			t.Fatal(err)
		}
		m, ok := hostmark.Parse(link.Attrs().Alias)
		if !ok || m.Owner != me || m.PIDNS != hostmark.PIDNamespace() || m.Object != "host.veth_pair" {
			t.Errorf("veth end %s has alias %q, want a mark naming this process", name, link.Attrs().Alias)
		}
		if link.Attrs().Flags&net.FlagUp == 0 {
			t.Errorf("veth end %s is down", name)
		}
	}
	if err := m.RemoveVethPair(a); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{a, b} {
		if _, err := netlink.LinkByName(name); err == nil {
			t.Errorf("%s still exists after Remove", name)
		}
	}
	if err := m.RemoveVethPair(a); err != nil {
		t.Errorf("removing a pair already gone: %v", err)
	}
}
