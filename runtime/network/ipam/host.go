package ipam

import (
	"berth/runtime/network/nldump"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// HostPrefix is an IPv4 address (host bits kept, as `ip addr` shows it:
// 10.0.2.15/24) or route destination of the host, with its interface.
type HostPrefix struct {
	Prefix netip.Prefix
	Route  bool   // a route's destination; otherwise an address
	Dev    string // the interface; "" for a route without one (blackhole, unreachable)
}

func (h HostPrefix) String() string {
	what := "address"
	if h.Route {
		what = "route"
	}
	if h.Dev == "" {
		return fmt.Sprintf("the host's %s %s", what, h.Prefix)
	}
	return fmt.Sprintf("the host's %s %s on %s", what, h.Prefix, h.Dev)
}

// Prefixes returns the prefixes of hs, for PickSubnet's taken list.
func Prefixes(hs []HostPrefix) []netip.Prefix {
	out := make([]netip.Prefix, len(hs))
	for i, h := range hs {
		out[i] = h.Prefix
	}
	return out
}

// CheckHost refuses a subnet for a bridge that overlaps an address or
// route of the host: the bridge's link route would take that traffic away
// from the interface that has it. The message names both, and the
// interface.
func CheckHost(subnet netip.Prefix, host []HostPrefix) error {
	for _, h := range host {
		if subnet.Overlaps(h.Prefix) {
			return errorf(ErrShadowsHost, "subnet %s overlaps %s: choose another subnet", subnet, h)
		}
	}
	return nil
}

// lister is the part of netlink used here; the nil-handle case goes through
// netlink's package functions, which work in the calling thread's namespace.
type lister interface {
	AddrList(link netlink.Link, family int) ([]netlink.Addr, error)
	RouteListFiltered(family int, filter *netlink.Route, filterMask uint64) ([]netlink.Route, error)
	LinkList() ([]netlink.Link, error)
}

type currentNamespace struct{}

func (currentNamespace) AddrList(link netlink.Link, family int) ([]netlink.Addr, error) {
	return netlink.AddrList(link, family)
}

func (currentNamespace) RouteListFiltered(family int, filter *netlink.Route, mask uint64) ([]netlink.Route, error) {
	return netlink.RouteListFiltered(family, filter, mask)
}

func (currentNamespace) LinkList() ([]netlink.Link, error) { return netlink.LinkList() }

// HostPrefixes lists every IPv4 address and every IPv4 route destination,
// in every routing table, except default routes, in the namespace of h
// (nil: the calling thread's namespace, normally the host's), with the
// interface each is on. It only reads.
func HostPrefixes(h *netlink.Handle) ([]HostPrefix, error) {
	var l lister = currentNamespace{}
	if h != nil {
		l = h
	}
	links, err := nldump.Retry("list links", l.LinkList)
	if err != nil {
		return nil, err
	}
	names := map[int]string{}
	for _, link := range links {
		names[link.Attrs().Index] = link.Attrs().Name
	}
	addrs, err := nldump.Retry("list IPv4 addresses", func() ([]netlink.Addr, error) { return l.AddrList(nil, netlink.FAMILY_V4) })
	if err != nil {
		return nil, err
	}
	allTables := &netlink.Route{Table: unix.RT_TABLE_UNSPEC}
	routes, err := nldump.Retry("list IPv4 routes", func() ([]netlink.Route, error) {
		return l.RouteListFiltered(netlink.FAMILY_V4, allTables, netlink.RT_FILTER_TABLE)
	})
	if err != nil {
		return nil, err
	}
	var out []HostPrefix
	for _, a := range addrs {
		if p, ok := prefixOf(a.IPNet); ok {
			out = append(out, HostPrefix{Prefix: p, Dev: names[a.LinkIndex]})
		}
	}
	for _, r := range routes {
		// A default route (nil Dst in older netlink, 0.0.0.0/0 now)
		// overlaps everything and says nothing about used subnets.
		if p, ok := prefixOf(r.Dst); ok && p.Bits() > 0 {
			out = append(out, HostPrefix{Prefix: p, Route: true, Dev: names[routeLink(r)]})
		}
	}
	return out, nil
}

// routeLink is the interface a route goes out of: its own, or for a
// multipath route its first hop's.
func routeLink(r netlink.Route) int {
	if r.LinkIndex == 0 && len(r.MultiPath) > 0 {
		return r.MultiPath[0].LinkIndex
	}
	return r.LinkIndex
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
