// Package hostveth makes the veth pairs of host.veth_pair on the machine
// berth runs on: a stand-in for a physical network (the parent of a
// macvlan network) that is never the host's own uplink. Each end carries
// the mark of the berth process in its alias, so that berth gc finds a
// pair a killed run left. An embedded backend's Host calls it.
package hostveth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/vishvananda/netlink"

	"berth/runtime/hostmark"
	"berth/runtime/store"
)

// Object names a veth pair in its mark.
const Object = "host.veth_pair"

// Create makes a veth pair "bvp<8 hex>a"/"bvp<8 hex>b", both ends marked
// and up, without addresses. On failure nothing is left.
func Create() (a, b string, err error) {
	buf := make([]byte, 4)
	_, _ = rand.Read(buf)
	suffix := hex.EncodeToString(buf)
	a, b = "bvp"+suffix+"a", "bvp"+suffix+"b"
	attrs := netlink.NewLinkAttrs()
	attrs.Name = a
	if err := netlink.LinkAdd(&netlink.Veth{LinkAttrs: attrs, PeerName: b}); err != nil {
		return "", "", fmt.Errorf("create %s and %s: %w", a, b, err)
	}
	// The kernel ignores an alias given at creation: the mark, which
	// berth gc finds the pair by if the run is killed, is set after.
	self, err := store.Self()
	if err != nil {
		return "", "", errors.Join(err, Remove(a))
	}
	mark := hostmark.NewMark(self, "", Object).String()
	for _, name := range []string{a, b} {
		link, err := netlink.LinkByName(name)
		if err == nil {
			err = netlink.LinkSetAlias(link, mark)
		}
		if err == nil {
			err = netlink.LinkSetUp(link)
		}
		if err != nil {
			return "", "", errors.Join(fmt.Errorf("mark %s and set it up: %w", name, err), Remove(a))
		}
	}
	return a, b, nil
}

// Remove deletes the pair one of whose ends is a (deleting one end
// deletes both); a pair already gone is not an error.
func Remove(a string) error {
	link, err := netlink.LinkByName(a)
	if errors.As(err, new(netlink.LinkNotFoundError)) {
		return nil
	}
	if err == nil {
		err = netlink.LinkDel(link)
	}
	if err != nil && !errors.As(err, new(netlink.LinkNotFoundError)) {
		return fmt.Errorf("remove veth pair %s: %w", a, err)
	}
	return nil
}
