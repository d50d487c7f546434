package netdev

import (
	"errors"
	"fmt"
	"net"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"berth/runtime/kinderr"
	"berth/runtime/network/nldump"
)

// ErrBadParent: a macvlan parent berth refuses (see CheckMacvlanParent).
var ErrBadParent = errors.New("macvlan parent refused")

// CheckMacvlanParent checks that parent, a link in h's namespace, may carry
// macvlan containers. Refused: the loopback interface, a bridge (berth's
// own, docker0) or a port of one (a container's veth), and any interface a
// default route of the host goes out of, IPv4 or IPv6, in any routing
// table: containers there would sit on the host's own uplink. Tests use one
// end of a veth pair they made.
func CheckMacvlanParent(h *netlink.Handle, parent string) error {
	if err := checkHandle(h); err != nil {
		return err
	}
	if err := ValidateName(parent); err != nil {
		return fmt.Errorf("macvlan parent: %w", err)
	}
	link, err := lookup(h, parent)
	if errors.Is(err, ErrNotFound) {
		return kinderr.Errorf(ErrParentNotFound, "-o parent interface was not found on the host: %s", parent)
	}
	if err != nil {
		return err
	}
	why, err := unsuitable(h, link)
	if err != nil {
		return fmt.Errorf("check macvlan parent %s: %w", parent, err)
	}
	if why != "" {
		return kinderr.Errorf(ErrBadParent, "macvlan parent %s %s: berth puts macvlan containers only on an interface of their own (in a scenario, one end of host.veth_pair())", parent, why)
	}
	return nil
}

// unsuitable says why link may not be a macvlan parent, or "" if it may.
func unsuitable(h *netlink.Handle, link netlink.Link) (string, error) {
	a := link.Attrs()
	switch {
	case a.Flags&net.FlagLoopback != 0:
		return "is the loopback interface", nil
	case link.Type() == "bridge":
		return "is a bridge", nil
	case a.MasterIndex != 0:
		master := fmt.Sprintf("interface %d", a.MasterIndex)
		if m, err := h.LinkByIndex(a.MasterIndex); err == nil {
			master = fmt.Sprintf("%s %s", m.Type(), m.Attrs().Name)
		}
		return "is a port of " + master, nil
	}
	for _, fam := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
		routes, err := defaultRoutes(h, fam)
		if err != nil {
			return "", err
		}
		for _, r := range routes {
			if goesOut(r, a.Index) {
				return "carries a default route of the host (" + describeDefault(r) + ")", nil
			}
		}
	}
	return "", nil
}

// defaultRoutes lists the default routes of family in every table.
func defaultRoutes(h *netlink.Handle, fam int) ([]netlink.Route, error) {
	allTables := &netlink.Route{Table: unix.RT_TABLE_UNSPEC}
	routes, err := nldump.Retry("list routes", func() ([]netlink.Route, error) {
		return h.RouteListFiltered(fam, allTables, netlink.RT_FILTER_TABLE)
	})
	if err != nil {
		return nil, err
	}
	var out []netlink.Route
	for _, r := range routes {
		if ones, _ := maskOf(r.Dst); ones == 0 && r.Type == unix.RTN_UNICAST {
			out = append(out, r)
		}
	}
	return out, nil
}

func maskOf(dst *net.IPNet) (int, int) {
	if dst == nil {
		return 0, 0
	}
	return dst.Mask.Size()
}

// goesOut reports whether r leaves through the link with index idx, as its
// own interface or one of its multipath hops.
func goesOut(r netlink.Route, idx int) bool {
	if r.LinkIndex == idx {
		return true
	}
	for _, nh := range r.MultiPath {
		if nh.LinkIndex == idx {
			return true
		}
	}
	return false
}

func describeDefault(r netlink.Route) string {
	s := "default"
	if r.Gw != nil {
		s += " via " + r.Gw.String()
	}
	if r.Table != unix.RT_TABLE_MAIN && r.Table != 0 {
		s += fmt.Sprintf(" in table %d", r.Table)
	}
	return s
}
