package host

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/vishvananda/netlink"
	"go.starlark.net/starlark"

	"berth/runtime/hostmark"
	"berth/runtime/store"
	"berth/starlib/args"
	"berth/starlib/session"
)

// vethPair creates a veth pair on the host, both ends up and without
// addresses, and returns the two names: a stand-in for a physical network
// (the parent of a macvlan network) that is never the host's own uplink.
// Both ends are deleted when the case ends.
func vethPair(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	if err := args.Unpack(b.Name(), a, kw); err != nil {
		return nil, err
	}
	buf := make([]byte, 4)
	_, _ = rand.Read(buf)
	suffix := hex.EncodeToString(buf)
	names := [2]string{"bvp" + suffix + "a", "bvp" + suffix + "b"}
	attrs := netlink.NewLinkAttrs()
	attrs.Name = names[0]
	veth := &netlink.Veth{LinkAttrs: attrs, PeerName: names[1]}
	if err := netlink.LinkAdd(veth); err != nil {
		return nil, fmt.Errorf("%s: create %s and %s: %w", b.Name(), names[0], names[1], err)
	}
	remove := func() error {
		if err := netlink.LinkDel(veth); err != nil && !errors.As(err, new(netlink.LinkNotFoundError)) {
			return fmt.Errorf("remove veth pair %s: %w", names[0], err)
		}
		return nil
	}
	// The kernel ignores an alias given at creation: the mark, which
	// berth gc finds the pair by if the run is killed, is set after.
	self, err := store.Self()
	if err != nil {
		_ = remove()
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	mark := hostmark.NewMark(self, "", "host.veth_pair").String()
	for _, name := range names {
		link, err := netlink.LinkByName(name)
		if err == nil {
			err = netlink.LinkSetAlias(link, mark)
		}
		if err == nil {
			err = netlink.LinkSetUp(link)
		}
		if err != nil {
			_ = remove()
			return nil, fmt.Errorf("%s: mark %s and set it up: %w", b.Name(), name, err)
		}
	}
	if err := session.AddCleanup(th, remove); err != nil {
		return nil, errors.Join(fmt.Errorf("%s: %w", b.Name(), err), remove())
	}
	return starlark.Tuple{starlark.String(names[0]), starlark.String(names[1])}, nil
}
