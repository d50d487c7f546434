// Package ipam is berth's IPv4 address management for bridge and macvlan
// networks: it picks free /24 subnets from Docker's pools, validates user
// subnet/gateway/ip_range input, refuses subnets that would shadow the host
// (special-purpose ranges, the host's own addresses and routes) and hands
// out addresses. It keeps no state: the engine persists the
// Config of each network and tells the allocator which addresses are in use.
package ipam

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"

	"berth/runtime/kinderr"
)

// Sentinel errors that callers branch on. The error texts themselves follow
// Docker's wording; these are reachable with errors.Is.
var (
	// ErrInvalid marks bad user input: malformed or inconsistent subnet,
	// gateway, ip_range or requested address.
	ErrInvalid = errors.New("invalid address configuration")
	// ErrNoPool means every default pool overlaps something already in use.
	ErrNoPool = errors.New("no free address pool")
	// ErrOverlap means a subnet overlaps another network's subnet.
	ErrOverlap = errors.New("subnet overlaps")
	// ErrExhausted means a network has no free address left.
	ErrExhausted = errors.New("address pool exhausted")
	// ErrAddressInUse means a requested address is taken (or is the gateway).
	ErrAddressInUse = errors.New("address in use")
	// ErrShadowsHost means a subnet overlaps a special-purpose range
	// (loopback, link-local, multicast, reserved) or an address or route
	// of the host, which a bridge on it would take over.
	ErrShadowsHost = errors.New("subnet overlaps the host's addresses")
)

func errorf(kind error, format string, args ...any) error {
	return kinderr.Errorf(kind, format, args...)
}

// Overlaps reports whether a and b share any address. Prefixes of different
// families never overlap.
func Overlaps(a, b netip.Prefix) bool {
	return a.Overlaps(b)
}

// CheckNoOverlap fails when subnet overlaps any of existing (the subnets of
// the other networks), as Docker refuses such a network.
func CheckNoOverlap(subnet netip.Prefix, existing []netip.Prefix) error {
	for _, e := range existing {
		if Overlaps(subnet, e) {
			return errorf(ErrOverlap, "Pool overlaps with other one on this address space")
		}
	}
	return nil
}

// MAC is the address Docker derives from a container's IPv4 address:
// 02:42 followed by the four address bytes. It returns nil for a
// non-IPv4 address.
func MAC(ip netip.Addr) net.HardwareAddr {
	ip = ip.Unmap()
	if !ip.Is4() {
		return nil
	}
	b := ip.As4()
	return net.HardwareAddr{0x02, 0x42, b[0], b[1], b[2], b[3]}
}

// toUint and fromUint let address ranges be walked with plain arithmetic.
func toUint(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

func fromUint(u uint32) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], u)
	return netip.AddrFrom4(b)
}

// bounds returns the first and last address of an IPv4 prefix.
func bounds(p netip.Prefix) (first, last uint32) {
	first = toUint(p.Masked().Addr())
	hostBits := uint64(1)<<(32-p.Bits()) - 1
	return first, first | uint32(hostBits)
}
