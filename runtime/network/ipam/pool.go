package ipam

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
)

// DefaultPools returns Docker's local address pools in the order Docker
// tries them: 172.17.0.0/16 … 172.31.0.0/16, then 192.168.0.0/20 …
// 192.168.240.0/20.
func DefaultPools() []netip.Prefix {
	pools := make([]netip.Prefix, 0, 15+16)
	for b := byte(17); b <= 31; b++ {
		pools = append(pools, netip.PrefixFrom(netip.AddrFrom4([4]byte{172, b, 0, 0}), 16))
	}
	for b := 0; b < 256; b += 16 {
		pools = append(pools, netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 168, byte(b), 0}), 20))
	}
	return pools
}

// PickSubnet returns the first of pools that overlaps none of taken. taken
// should hold the subnets of berth's networks and HostPrefixes of the host,
// so a new bridge never shadows a route the host already uses.
func PickSubnet(pools, taken []netip.Prefix) (netip.Prefix, error) {
	for _, p := range pools {
		free := true
		for _, t := range taken {
			if Overlaps(p, t) {
				free = false
				break
			}
		}
		if free {
			return p.Masked(), nil
		}
	}
	return netip.Prefix{}, errorf(ErrNoPool,
		"could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network")
}

// dumpAttempts bounds retries of a netlink dump the kernel reports as
// interrupted (the address or route table changed while it was read).
const dumpAttempts = 5

// lister is the part of netlink used here; the nil-handle case goes through
// netlink's package functions, which work in the calling thread's namespace.
type lister interface {
	AddrList(link netlink.Link, family int) ([]netlink.Addr, error)
	RouteList(link netlink.Link, family int) ([]netlink.Route, error)
}

type currentNamespace struct{}

func (currentNamespace) AddrList(link netlink.Link, family int) ([]netlink.Addr, error) {
	return netlink.AddrList(link, family)
}

func (currentNamespace) RouteList(link netlink.Link, family int) ([]netlink.Route, error) {
	return netlink.RouteList(link, family)
}

// HostPrefixes lists every IPv4 address (with its prefix length, e.g.
// 10.0.2.15/24) and every IPv4 route destination of the main table except
// the default route, in the namespace of h (nil: the calling thread's
// namespace, normally the host's). It only reads.
func HostPrefixes(h *netlink.Handle) ([]netip.Prefix, error) {
	var l lister = currentNamespace{}
	if h != nil {
		l = h
	}
	addrs, err := retryDump(func() ([]netlink.Addr, error) { return l.AddrList(nil, netlink.FAMILY_V4) })
	if err != nil {
		return nil, fmt.Errorf("list IPv4 addresses: %w", err)
	}
	routes, err := retryDump(func() ([]netlink.Route, error) { return l.RouteList(nil, netlink.FAMILY_V4) })
	if err != nil {
		return nil, fmt.Errorf("list IPv4 routes: %w", err)
	}
	var out []netip.Prefix
	for _, a := range addrs {
		if p, ok := prefixOf(a.IPNet); ok {
			out = append(out, p)
		}
	}
	for _, r := range routes {
		// The default route (nil Dst in older netlink, 0.0.0.0/0 now)
		// overlaps everything and says nothing about used subnets.
		if p, ok := prefixOf(r.Dst); ok && p.Bits() > 0 {
			out = append(out, p)
		}
	}
	return out, nil
}

func retryDump[T any](dump func() ([]T, error)) ([]T, error) {
	var err error
	for range dumpAttempts {
		var res []T
		res, err = dump()
		if !errors.Is(err, netlink.ErrDumpInterrupted) {
			return res, err
		}
	}
	return nil, fmt.Errorf("gave up after %d interrupted dumps: %w", dumpAttempts, err)
}

// prefixOf converts an IPv4 net.IPNet (4- or 16-byte form) to a prefix that
// keeps the address's host bits, as `ip addr` shows it.
func prefixOf(n *net.IPNet) (netip.Prefix, bool) {
	if n == nil {
		return netip.Prefix{}, false
	}
	ip4 := n.IP.To4()
	ones, bits := n.Mask.Size()
	if ip4 == nil || (bits != 32 && bits != 128) {
		return netip.Prefix{}, false
	}
	if bits == 128 { // a 16-byte mask on an IPv4 address
		ones -= 96
		if ones < 0 {
			return netip.Prefix{}, false
		}
	}
	return netip.PrefixFrom(netip.AddrFrom4([4]byte(ip4)), ones), true
}
