package netdev

import (
	"errors"
	"fmt"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"berth/runtime/kinderr"
)

// macvlanModes maps Docker's macvlan_mode option values to the kernel's.
var macvlanModes = map[string]netlink.MacvlanMode{
	"bridge":   netlink.MACVLAN_MODE_BRIDGE,
	"private":  netlink.MACVLAN_MODE_PRIVATE,
	"vepa":     netlink.MACVLAN_MODE_VEPA,
	"passthru": netlink.MACVLAN_MODE_PASSTHRU,
}

// ParseMacvlanMode checks a macvlan_mode option value; "" means bridge,
// Docker's default. The error text is Docker's.
func ParseMacvlanMode(mode string) (netlink.MacvlanMode, error) {
	if mode == "" {
		return netlink.MACVLAN_MODE_BRIDGE, nil
	}
	m, ok := macvlanModes[mode]
	if !ok {
		return 0, kinderr.Errorf(ErrInvalidMacvlanMode, "requested macvlan mode '%s' is not valid, 'bridge' mode is the macvlan default", mode)
	}
	return m, nil
}

// AttachMacvlan creates a macvlan link on parent (a link in h's namespace)
// in the given mode ("bridge", "private", "vepa", "passthru"; "" is bridge)
// and configures it as ep inside the namespace at nsPath.
//
// The link is created directly inside the container namespace, already
// named ep.IfName: the kernel resolves the parent in the namespace of the
// netlink socket (h's) and registers the new link in the target namespace,
// so there is no temporary name on the host and no 16–24 ms move. Containers
// on a macvlan network cannot reach the host through the parent, by design.
func AttachMacvlan(h *netlink.Handle, parent string, mode string, nsPath string, ep Endpoint) error {
	if err := checkHandle(h); err != nil {
		return err
	}
	m, err := ParseMacvlanMode(mode)
	if err != nil {
		return err
	}
	if err := ep.validate(); err != nil {
		return err
	}
	if err := ValidateName(parent); err != nil {
		return fmt.Errorf("macvlan parent: %w", err)
	}
	p, err := lookup(h, parent)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: %s", ErrParentNotFound, parent)
	}
	if err != nil {
		return err
	}
	ns, err := openNS(nsPath)
	if err != nil {
		return fmt.Errorf("attach macvlan %s: %w", ep.IfName, err)
	}
	defer ns.Close()

	attrs := netlink.NewLinkAttrs()
	attrs.Name = ep.IfName
	attrs.ParentIndex = p.Attrs().Index
	attrs.HardwareAddr = ep.MAC
	attrs.MTU = ep.MTU
	attrs.Namespace = netlink.NsFd(ns.ns)
	mv := &netlink.Macvlan{LinkAttrs: attrs, Mode: m}
	// After LinkAdd, mv's Index is not to be trusted: netlink looks the name
	// up in h's namespace, where another link may carry the same name.
	if err := h.LinkAdd(mv); err != nil {
		if errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("attach macvlan on %s: %w: %s in the container namespace", parent, ErrExists, ep.IfName)
		}
		return fmt.Errorf("create macvlan %s on %s in %s: %w", ep.IfName, parent, nsPath, err)
	}
	if err := configureEndpoint(ns.h, ep); err != nil {
		if link, lerr := lookup(ns.h, ep.IfName); lerr == nil {
			_ = deleteLink(ns.h, link)
		}
		return fmt.Errorf("attach macvlan %s on %s in %s: %w", ep.IfName, parent, nsPath, err)
	}
	return nil
}
