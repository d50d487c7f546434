package netdev

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Endpoint is one interface of a container on one network.
type Endpoint struct {
	IfName       string           // name inside the container: "eth0", "eth1", …
	Addr         netip.Prefix     // address with the network's prefix length, e.g. 172.18.0.2/16
	MAC          net.HardwareAddr // nil lets the kernel pick a random one
	Gateway      netip.Addr       // the network's gateway; needed when DefaultRoute
	DefaultRoute bool             // route 0.0.0.0/0 (or ::/0) via Gateway on this interface
	// HostAddress assigns the address as a single host (/32) and adds the
	// subnet as an explicit on-link route instead of the kernel's prefix
	// route. Routing is the same; the difference is for glibc's
	// getaddrinfo, which sorts DNS answers inside the source's own subnet
	// by longest matching prefix (RFC 3484 rule 9) and so would defeat
	// the embedded DNS's round-robin order.
	HostAddress bool
	MTU         int // 0 keeps the kernel default
}

func (ep Endpoint) validate() error {
	if err := ValidateName(ep.IfName); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidEndpoint, err)
	}
	if !ep.Addr.IsValid() {
		return fmt.Errorf("%w %s: address %v is not an address with a prefix length (e.g. 172.18.0.2/16)", ErrInvalidEndpoint, ep.IfName, ep.Addr)
	}
	if ep.MAC != nil && len(ep.MAC) != 6 {
		return fmt.Errorf("%w %s: MAC %s is not a 6-byte Ethernet address", ErrInvalidEndpoint, ep.IfName, ep.MAC)
	}
	if ep.DefaultRoute {
		if !ep.Gateway.IsValid() {
			return fmt.Errorf("%w %s: a default route needs a gateway", ErrInvalidEndpoint, ep.IfName)
		}
		if ep.Gateway.Is4() != ep.Addr.Addr().Is4() {
			return fmt.Errorf("%w %s: gateway %s and address %s are of different IP families", ErrInvalidEndpoint, ep.IfName, ep.Gateway, ep.Addr)
		}
	}
	if ep.MTU < 0 || ep.MTU > 65535 {
		return fmt.Errorf("%w %s: mtu %d out of range 0 (kernel default) to 65535", ErrInvalidEndpoint, ep.IfName, ep.MTU)
	}
	return nil
}

// AttachVeth connects the network namespace at nsPath to bridge (in h's
// namespace) with a veth pair and configures the container end as ep. It
// returns the name of the host end, VethPrefix plus 8 random hex digits,
// for the engine to record.
//
// The container end is created directly inside the namespace (~2 ms) rather
// than created on the host and moved (16–24 ms). The host end is enslaved to
// the bridge and up. If any step fails the pair is deleted again.
func AttachVeth(h *netlink.Handle, bridge string, nsPath string, ep Endpoint) (string, error) {
	if err := checkHandle(h); err != nil {
		return "", err
	}
	if err := ep.validate(); err != nil {
		return "", err
	}
	br, err := lookup(h, bridge)
	if err != nil {
		return "", fmt.Errorf("attach %s to bridge %s: %w", ep.IfName, bridge, err)
	}
	if br.Type() != "bridge" {
		return "", fmt.Errorf("attach %s: %w: %s is a %s, not a bridge", ep.IfName, ErrWrongKind, bridge, br.Type())
	}
	ns, err := openNS(nsPath)
	if err != nil {
		return "", fmt.Errorf("attach %s to bridge %s: %w", ep.IfName, bridge, err)
	}
	defer ns.Close()

	hostName, err := createVeth(h, br.Attrs().Index, ns, ep)
	if err != nil {
		return "", fmt.Errorf("attach %s in %s to bridge %s: %w", ep.IfName, nsPath, bridge, err)
	}
	if err := configureEndpoint(ns.h, ep); err != nil {
		// Deleting one end removes the pair.
		_ = DeleteLink(h, hostName)
		return "", fmt.Errorf("attach %s in %s to bridge %s: %w", ep.IfName, nsPath, bridge, err)
	}
	return hostName, nil
}

// createVeth creates the pair under a fresh random host name, retrying when
// the name is taken. EEXIST is ambiguous (either end's name may be taken),
// so the container side is checked to tell the two apart.
func createVeth(h *netlink.Handle, bridgeIndex int, ns *nsHandle, ep Endpoint) (string, error) {
	for range maxNameAttempts {
		attrs := netlink.NewLinkAttrs()
		attrs.Name = randomName(VethPrefix)
		attrs.MTU = ep.MTU
		attrs.Flags = net.FlagUp
		veth := &netlink.Veth{
			LinkAttrs:        attrs,
			PeerName:         ep.IfName,
			PeerHardwareAddr: ep.MAC,
			PeerNamespace:    netlink.NsFd(ns.ns),
			PeerTxQLen:       -1, // kernel default
		}
		err := h.LinkAdd(veth)
		if errors.Is(err, unix.EEXIST) {
			if _, lerr := lookup(ns.h, ep.IfName); lerr == nil {
				return "", fmt.Errorf("%w: %s in the container namespace", ErrExists, ep.IfName)
			}
			continue // the random host name collided: draw another
		}
		if err != nil {
			return "", fmt.Errorf("create veth pair %s/%s: %w", attrs.Name, ep.IfName, err)
		}
		// Enslaved here rather than through LinkAttrs.MasterIndex so that a
		// failure is known to come after the pair exists, and the pair is ours
		// to delete.
		if err := h.LinkSetMasterByIndex(veth, bridgeIndex); err != nil {
			_ = deleteLink(h, veth)
			return "", fmt.Errorf("add %s to the bridge: %w", attrs.Name, err)
		}
		return attrs.Name, nil
	}
	return "", fmt.Errorf("create veth pair: %d random host names in a row were taken", maxNameAttempts)
}

// configureEndpoint brings the interface ep.IfName up inside the namespace
// of h, gives it its address and, if asked, the default route. The MAC and
// MTU were set when the link was created.
func configureEndpoint(h *netlink.Handle, ep Endpoint) error {
	link, err := lookup(h, ep.IfName)
	if err != nil {
		return err
	}
	// Up before the address, so the kernel adds the subnet route at once and
	// the gateway is reachable for the default route.
	if err := h.LinkSetUp(link); err != nil {
		return fmt.Errorf("set %s up: %w", ep.IfName, err)
	}
	addr := ep.Addr
	if ep.HostAddress {
		addr = netip.PrefixFrom(ep.Addr.Addr(), ep.Addr.Addr().BitLen())
	}
	if err := h.AddrAdd(link, &netlink.Addr{IPNet: ipNet(addr)}); err != nil {
		return fmt.Errorf("add address %s to %s: %w", addr, ep.IfName, err)
	}
	if ep.HostAddress {
		route := &netlink.Route{LinkIndex: link.Attrs().Index, Dst: ipNet(ep.Addr.Masked()), Scope: netlink.SCOPE_LINK}
		if err := h.RouteAdd(route); err != nil {
			return fmt.Errorf("add route to %s on %s: %w", ep.Addr.Masked(), ep.IfName, err)
		}
	}
	if ep.DefaultRoute {
		route := &netlink.Route{
			LinkIndex: link.Attrs().Index,
			Dst:       ipNet(netip.PrefixFrom(netip.IPv4Unspecified(), 0)),
			Gw:        net.IP(ep.Gateway.AsSlice()),
		}
		if ep.Gateway.Is6() {
			route.Dst = ipNet(netip.PrefixFrom(netip.IPv6Unspecified(), 0))
		}
		if err := h.RouteAdd(route); err != nil {
			return fmt.Errorf("add default route via %s on %s: %w", ep.Gateway, ep.IfName, err)
		}
	}
	return nil
}

// Detach deletes the host end hostName of a veth pair made by AttachVeth,
// which removes the container end too. A missing link is not an error: the
// kernel removes the pair by itself shortly after the container's namespace
// dies. That is also the cheaper way: an explicit delete costs ~15 ms
// (the kernel waits for in-flight packets), letting the namespace die costs
// nothing on the engine's path. Call Detach when the namespace lives on
// (network disconnect of a running container) or to reclaim leftovers.
func Detach(h *netlink.Handle, hostName string) error {
	if err := checkHandle(h); err != nil {
		return err
	}
	if err := ValidateName(hostName); err != nil {
		return err
	}
	link, err := hostVeth(h, hostName, "detach")
	if link == nil {
		return err
	}
	return deleteLink(h, link)
}

// hostVeth looks up the host end of a pair for op; a missing link gives
// nil and no error.
func hostVeth(h *netlink.Handle, hostName, op string) (netlink.Link, error) {
	link, err := lookup(h, hostName)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if link.Type() != "veth" {
		return nil, fmt.Errorf("%s %s: %w: it is a %s, not a veth", op, hostName, ErrWrongKind, link.Type())
	}
	return link, nil
}

// Unbridge takes the host end hostName off its bridge, for a container
// whose namespace is dying: the kernel deletes the pair a little later,
// and until then the bridge would still deliver frames for the
// container's MAC to it. Addresses (and with them MACs, 02:42 + the IPv4
// address) are given out again at once, so a new container on the same
// address must not lose its first packets to the old port. Taking the
// port off the bridge flushes its forwarding entries; it costs a netlink
// call, where deleting the pair waits ~15 ms. A missing link is not an
// error.
func Unbridge(h *netlink.Handle, hostName string) error {
	if err := checkHandle(h); err != nil {
		return err
	}
	link, err := hostVeth(h, hostName, "unbridge")
	if link == nil {
		return err
	}
	if err := h.LinkSetNoMaster(link); err != nil && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("take %s off its bridge: %w", hostName, err)
	}
	return nil
}
