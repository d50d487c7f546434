package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/vishvananda/netlink"

	"berth/runtime/backend"
	"berth/runtime/hostmark"
	"berth/runtime/spec"
	"berth/runtime/store"
)

// Host is the machine the engine runs containers on: this one.
func (e *Engine) Host() backend.Host { return host{e} }

type host struct{ e *Engine }

func (h host) Info() spec.Host { return h.e.host }

// CreateVethPair creates a veth pair, both ends up, marked for berth gc
// with this process as owner (host.veth_pair).
func (h host) CreateVethPair(ctx context.Context) (backend.VethPair, error) {
	buf := make([]byte, 4)
	_, _ = rand.Read(buf)
	suffix := hex.EncodeToString(buf)
	p := backend.VethPair{A: "bvp" + suffix + "a", B: "bvp" + suffix + "b"}
	attrs := netlink.NewLinkAttrs()
	attrs.Name = p.A
	if err := netlink.LinkAdd(&netlink.Veth{LinkAttrs: attrs, PeerName: p.B}); err != nil {
		return backend.VethPair{}, fmt.Errorf("create %s and %s: %w", p.A, p.B, err)
	}
	// The kernel ignores an alias given at creation: the mark, which
	// berth gc finds the pair by if the run is killed, is set after.
	self, err := store.Self()
	if err != nil {
		_ = h.RemoveVethPair(ctx, p)
		return backend.VethPair{}, err
	}
	mark := hostmark.NewMark(self, "", "host.veth_pair").String()
	for _, name := range []string{p.A, p.B} {
		link, err := netlink.LinkByName(name)
		if err == nil {
			err = netlink.LinkSetAlias(link, mark)
		}
		if err == nil {
			err = netlink.LinkSetUp(link)
		}
		if err != nil {
			_ = h.RemoveVethPair(ctx, p)
			return backend.VethPair{}, fmt.Errorf("mark %s and set it up: %w", name, err)
		}
	}
	return p, nil
}

// RemoveVethPair deletes the pair (deleting one end deletes both).
func (h host) RemoveVethPair(ctx context.Context, p backend.VethPair) error {
	link, err := netlink.LinkByName(p.A)
	if errors.As(err, new(netlink.LinkNotFoundError)) {
		return nil
	}
	if err == nil {
		err = netlink.LinkDel(link)
	}
	if err != nil && !errors.As(err, new(netlink.LinkNotFoundError)) {
		return fmt.Errorf("remove veth pair %s: %w", p.A, err)
	}
	return nil
}
