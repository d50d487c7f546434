package netdev

import (
	"berth/runtime/network/nldump"
	"fmt"
	"net"
	"net/netip"
	"sort"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Interface describes one link inside a network namespace.
type Interface struct {
	Name   string
	Kind   string // netlink type: "veth", "macvlan", "bridge", "device" (lo), …
	MAC    net.HardwareAddr
	MTU    int
	Up     bool           // administratively up
	Addrs  []netip.Prefix // host bits kept (172.18.0.2/16); IPv6 link-local left out
	Routes []Route        // main-table routes through this interface
}

// Route is a main-table route. A default route has Dst 0.0.0.0/0 or ::/0.
type Route struct {
	Dst     netip.Prefix
	Gateway netip.Addr // zero for a directly connected (link) route
}

// Interfaces lists the links in the namespace at nsPath with their
// addresses and routes, sorted by name, for inspect and for tests.
func Interfaces(nsPath string) ([]Interface, error) {
	ns, err := openNS(nsPath)
	if err != nil {
		return nil, err
	}
	defer ns.Close()

	links, err := listLinks(ns.h)
	if err != nil {
		return nil, fmt.Errorf("namespace %s: %w", nsPath, err)
	}
	routes, err := mainRoutes(ns.h)
	if err != nil {
		return nil, fmt.Errorf("namespace %s: %w", nsPath, err)
	}
	var out []Interface
	for _, l := range links {
		a := l.Attrs()
		it := Interface{
			Name:   a.Name,
			Kind:   l.Type(),
			MAC:    a.HardwareAddr,
			MTU:    a.MTU,
			Up:     a.Flags&net.FlagUp != 0,
			Routes: routes[a.Index],
		}
		addrs, err := nldump.Retry("list addresses", func() ([]netlink.Addr, error) {
			return ns.h.AddrList(l, netlink.FAMILY_ALL)
		})
		if err != nil {
			return nil, fmt.Errorf("namespace %s: addresses of %s: %w", nsPath, a.Name, err)
		}
		for _, ad := range addrs {
			if p, ok := prefixOf(ad.IPNet); ok && !p.Addr().IsLinkLocalUnicast() {
				it.Addrs = append(it.Addrs, p)
			}
		}
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// mainRoutes returns the main table's routes grouped by interface index,
// without IPv6 link-local ones (every IPv6 interface has fe80::/64).
func mainRoutes(h *netlink.Handle) (map[int][]Route, error) {
	filter := &netlink.Route{Table: unix.RT_TABLE_MAIN}
	rs, err := nldump.Retry("list routes", func() ([]netlink.Route, error) {
		return h.RouteListFiltered(netlink.FAMILY_ALL, filter, netlink.RT_FILTER_TABLE)
	})
	if err != nil {
		return nil, err
	}
	byLink := map[int][]Route{}
	for _, r := range rs {
		var rt Route
		if p, ok := prefixOf(r.Dst); ok {
			rt.Dst = p.Masked()
		} else if r.Family == netlink.FAMILY_V6 {
			rt.Dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
		} else {
			rt.Dst = netip.PrefixFrom(netip.IPv4Unspecified(), 0)
		}
		if rt.Dst.Addr().IsLinkLocalUnicast() {
			continue
		}
		if gw, ok := netip.AddrFromSlice(r.Gw); ok {
			rt.Gateway = gw.Unmap()
		}
		byLink[r.LinkIndex] = append(byLink[r.LinkIndex], rt)
	}
	return byLink, nil
}

// DetachInNS deletes the interface ifName from inside the namespace at
// nsPath (network disconnect). For a veth this removes the host end too.
// A missing interface is reported with ErrNotFound.
func DetachInNS(nsPath, ifName string) error {
	if err := ValidateName(ifName); err != nil {
		return err
	}
	ns, err := openNS(nsPath)
	if err != nil {
		return fmt.Errorf("detach %s: %w", ifName, err)
	}
	defer ns.Close()
	link, err := lookup(ns.h, ifName)
	if err != nil {
		return fmt.Errorf("detach in namespace %s: %w", nsPath, err)
	}
	if err := deleteLink(ns.h, link); err != nil {
		return fmt.Errorf("detach in namespace %s: %w", nsPath, err)
	}
	return nil
}
