package network

import (
	"crypto/rand"
	"encoding/hex"

	"berth/runtime/hostmark"
	"berth/runtime/network/netdev"
	"berth/runtime/store"
)

// CreateVethPair creates a veth pair on the host (host.veth_pair: a
// stand-in parent for macvlan), named bvp<8 hex>a and bvp<8 hex>b, both
// ends up and marked with this process as owner, so berth gc removes a
// killed run's pair.
func (m *Manager) CreateVethPair() (a, b string, err error) {
	buf := make([]byte, 4)
	_, _ = rand.Read(buf)
	suffix := hex.EncodeToString(buf)
	a, b = "bvp"+suffix+"a", "bvp"+suffix+"b"
	self, err := store.Self()
	if err != nil {
		return "", "", err
	}
	mark := hostmark.NewMark(self, "", "host.veth_pair").String()
	if err := netdev.CreateVethPair(m.host, a, b, mark); err != nil {
		return "", "", err
	}
	return a, b, nil
}

// RemoveVethPair deletes a pair CreateVethPair made, by one of its ends.
func (m *Manager) RemoveVethPair(a string) error { return netdev.DeleteVeth(m.host, a) }
