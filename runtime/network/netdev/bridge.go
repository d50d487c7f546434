package netdev

import (
	"berth/runtime/network/nldump"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// EnsureBridge makes sure a bridge called name exists in h's namespace, is
// up and carries gateway (e.g. 172.18.0.1/16) as its address of that family.
// It is idempotent: an existing bridge is reused. Like Docker's bridge
// driver, other addresses of the gateway's family on an existing bridge are
// replaced, since the bridge belongs to the engine and a stale address would
// route the network's subnet wrongly. mtu 0 keeps the kernel default.
//
// A bridge it had to create is deleted again if a later step fails.
func EnsureBridge(h *netlink.Handle, name string, gateway netip.Prefix, mtu int) (netlink.Link, error) {
	if err := checkHandle(h); err != nil {
		return nil, err
	}
	if err := ValidateName(name); err != nil {
		return nil, fmt.Errorf("bridge name: %w", err)
	}
	if !gateway.IsValid() {
		return nil, fmt.Errorf("bridge %s: gateway %v is not an address with a prefix length (e.g. 172.18.0.1/16)", name, gateway)
	}
	if mtu < 0 || mtu > 65535 {
		return nil, fmt.Errorf("bridge %s: mtu %d out of range 0 (kernel default) to 65535", name, mtu)
	}

	link, err := lookup(h, name)
	created := false
	if errors.Is(err, ErrNotFound) {
		link, err = createBridge(h, name, mtu)
		created = err == nil
	}
	if err != nil {
		return nil, err
	}
	if link.Type() != "bridge" {
		return nil, fmt.Errorf("%w: %s is a %s, not a bridge", ErrWrongKind, name, link.Type())
	}

	if err := configureBridge(h, link, gateway, mtu); err != nil {
		if created {
			// Best effort: the configure error is the one worth reporting.
			_ = deleteLink(h, link)
		}
		return nil, fmt.Errorf("bridge %s: %w", name, err)
	}
	// Re-read so the caller sees the final flags and MTU.
	return lookup(h, name)
}

func createBridge(h *netlink.Handle, name string, mtu int) (netlink.Link, error) {
	attrs := netlink.NewLinkAttrs()
	attrs.Name = name
	attrs.MTU = mtu
	attrs.Flags = net.FlagUp
	// A fixed MAC keeps the bridge's address from changing whenever a port
	// with a lower MAC joins or leaves, which would leave stale gateway
	// entries in the containers' ARP caches.
	attrs.HardwareAddr = randomMAC()
	err := h.LinkAdd(&netlink.Bridge{LinkAttrs: attrs})
	if err != nil && !errors.Is(err, unix.EEXIST) { // EEXIST: lost a race with another creator
		return nil, fmt.Errorf("create bridge %s: %w", name, err)
	}
	return lookup(h, name)
}

func configureBridge(h *netlink.Handle, link netlink.Link, gateway netip.Prefix, mtu int) error {
	addrs, err := nldump.Retry("list addresses", func() ([]netlink.Addr, error) {
		return h.AddrList(link, family(gateway.Addr()))
	})
	if err != nil {
		return err
	}
	has := false
	for _, a := range addrs {
		p, ok := prefixOf(a.IPNet)
		if !ok || p.Addr().IsLinkLocalUnicast() {
			continue
		}
		if p == gateway {
			has = true
			continue
		}
		if err := h.AddrDel(link, &a); err != nil {
			return fmt.Errorf("remove stale address %s: %w", p, err)
		}
	}
	if !has {
		if err := h.AddrAdd(link, &netlink.Addr{IPNet: ipNet(gateway)}); err != nil {
			return fmt.Errorf("add gateway address %s: %w", gateway, err)
		}
	}
	if mtu > 0 && link.Attrs().MTU != mtu {
		if err := h.LinkSetMTU(link, mtu); err != nil {
			return fmt.Errorf("set mtu %d: %w", mtu, err)
		}
	}
	if link.Attrs().Flags&net.FlagUp == 0 {
		if err := h.LinkSetUp(link); err != nil {
			return fmt.Errorf("set up: %w", err)
		}
	}
	return nil
}

// prefixOf converts a netlink address to a netip.Prefix, keeping the
// host bits (172.18.0.1/16, not 172.18.0.0/16).
func prefixOf(n *net.IPNet) (netip.Prefix, bool) {
	if n == nil {
		return netip.Prefix{}, false
	}
	a, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := n.Mask.Size()
	return netip.PrefixFrom(a.Unmap(), ones), true
}
