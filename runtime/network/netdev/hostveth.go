package netdev

import (
	"errors"
	"fmt"

	"github.com/vishvananda/netlink"
)

// CreateVethPair creates the veth pair a and b in h's namespace, both ends
// up and carrying alias (the owner mark gc finds them by: the kernel
// ignores an alias given at creation, so it is set after). On failure
// nothing is left.
func CreateVethPair(h *netlink.Handle, a, b, alias string) error {
	if err := checkHandle(h); err != nil {
		return err
	}
	attrs := netlink.NewLinkAttrs()
	attrs.Name = a
	if err := h.LinkAdd(&netlink.Veth{LinkAttrs: attrs, PeerName: b}); err != nil {
		return fmt.Errorf("create %s and %s: %w", a, b, err)
	}
	for _, name := range []string{a, b} {
		link, err := h.LinkByName(name)
		if err == nil {
			err = h.LinkSetAlias(link, alias)
		}
		if err == nil {
			err = h.LinkSetUp(link)
		}
		if err != nil {
			_ = DeleteVeth(h, a)
			return fmt.Errorf("mark %s and set it up: %w", name, err)
		}
	}
	return nil
}

// DeleteVeth deletes the veth called name, and so its peer. A veth that
// is gone already is no error.
func DeleteVeth(h *netlink.Handle, name string) error {
	if err := checkHandle(h); err != nil {
		return err
	}
	link, err := h.LinkByName(name)
	if err == nil {
		err = h.LinkDel(link)
	}
	if err != nil && !errors.As(err, new(netlink.LinkNotFoundError)) {
		return fmt.Errorf("remove veth pair %s: %w", name, err)
	}
	return nil
}
