package ipam

import (
	"fmt"
	"net/netip"

	"berth/runtime/spec"
)

// maxPrefixBits is the smallest subnet accepted: a /30 still has room for
// the gateway and one container next to the network and broadcast address.
const maxPrefixBits = 30

// Config is the address configuration of one network, as the engine
// persists it and as inspect shows it (IPAM.Config).
type Config struct {
	Subnet netip.Prefix
	// IPRange limits where Allocate looks; the zero Prefix means the whole
	// subnet.
	IPRange netip.Prefix
	Gateway netip.Addr
	// UserSubnet records that the subnet was given by the user; only then
	// may containers ask for a fixed address (Docker's rule for --ip).
	UserSubnet bool
}

// ParseConfig validates the user's subnet, gateway and ip_range ("" when
// not given). Without a subnet, pick supplies one (normally PickSubnet over
// the default pools) and gateway and ip_range must be empty. A subnet with
// host bits set is normalised to its network, as Docker does. The gateway
// defaults to the subnet's first host address.
func ParseConfig(subnet, gateway, ipRange string, pick func() (netip.Prefix, error)) (Config, error) {
	if subnet == "" {
		return autoConfig(gateway, ipRange, pick)
	}
	p, err := netip.ParsePrefix(subnet)
	if err != nil {
		return Config{}, errorf(ErrInvalid, "invalid CIDR address: %s", subnet)
	}
	sub, err := checkSubnet(p)
	if err != nil {
		return Config{}, err
	}
	c := Config{Subnet: sub, Gateway: firstHost(sub), UserSubnet: true}
	if gateway != "" {
		if c.Gateway, err = parseGateway(sub, gateway); err != nil {
			return Config{}, err
		}
	}
	if ipRange != "" {
		if c.IPRange, err = parseRange(sub, ipRange); err != nil {
			return Config{}, err
		}
	}
	return c, nil
}

func autoConfig(gateway, ipRange string, pick func() (netip.Prefix, error)) (Config, error) {
	switch {
	case gateway != "":
		return Config{}, errorf(ErrInvalid,
			"every ip-range or gateway must have a corresponding subnet: gateway %s given without a subnet", gateway)
	case ipRange != "":
		return Config{}, errorf(ErrInvalid,
			"every ip-range or gateway must have a corresponding subnet: ip_range %s given without a subnet", ipRange)
	case pick == nil:
		return Config{}, errorf(ErrInvalid, "no subnet given and no way to pick one")
	}
	p, err := pick()
	if err != nil {
		return Config{}, err // keeps Docker's no-pool text unchanged
	}
	sub, err := checkSubnet(p)
	if err != nil {
		return Config{}, fmt.Errorf("picked subnet: %w", err)
	}
	return Config{Subnet: sub, Gateway: firstHost(sub)}, nil
}

func checkSubnet(p netip.Prefix) (netip.Prefix, error) {
	if !p.Addr().Is4() {
		return netip.Prefix{}, errorf(ErrInvalid, "invalid subnet %s: only IPv4 subnets are supported", p)
	}
	if p.Bits() > maxPrefixBits {
		return netip.Prefix{}, errorf(ErrInvalid,
			"invalid subnet %s: too small, the prefix length must be at most /%d", p, maxPrefixBits)
	}
	if err := checkSpecial(p.Masked()); err != nil {
		return netip.Prefix{}, err
	}
	return p.Masked(), nil
}

func parseGateway(sub netip.Prefix, s string) (netip.Addr, error) {
	gw, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, errorf(ErrInvalid, "invalid gateway IP address: %s (want an IPv4 address such as 172.18.0.1)", s)
	}
	gw = gw.Unmap()
	if !sub.Contains(gw) {
		return netip.Addr{}, errorf(ErrInvalid, "no matching subnet for gateway %s", s)
	}
	if err := checkHost(sub, gw, "gateway"); err != nil {
		return netip.Addr{}, err
	}
	return gw, nil
}

func parseRange(sub netip.Prefix, s string) (netip.Prefix, error) {
	r, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, errorf(ErrInvalid, "invalid CIDR address: %s", s)
	}
	r = r.Masked()
	if !r.Addr().Is4() || r.Bits() < sub.Bits() || !sub.Contains(r.Addr()) {
		return netip.Prefix{}, errorf(ErrInvalid, "no matching subnet for range %s", s)
	}
	return r, nil
}

// checkHost rejects the network and broadcast address of sub, which no
// interface can own.
func checkHost(sub netip.Prefix, ip netip.Addr, what string) error {
	first, last := bounds(sub)
	switch toUint(ip) {
	case first:
		return errorf(ErrInvalid, "invalid %s %s: it is the network address of subnet %s", what, ip, sub)
	case last:
		return errorf(ErrInvalid, "invalid %s %s: it is the broadcast address of subnet %s", what, ip, sub)
	}
	return nil
}

func firstHost(sub netip.Prefix) netip.Addr {
	return sub.Masked().Addr().Next()
}

// Allocate returns the lowest address of IPRange (the whole subnet when
// there is none) that is not in use, skipping the subnet's network and
// broadcast address and the gateway. Like Docker, the first and last
// address of an ip_range narrower than the subnet are ordinary hosts.
func (c Config) Allocate(inUse func(netip.Addr) bool) (netip.Addr, error) {
	if !c.Subnet.Addr().Is4() {
		return netip.Addr{}, errorf(ErrInvalid, "network has no IPv4 subnet to allocate from")
	}
	pool := c.Subnet
	if c.IPRange.IsValid() {
		pool = c.IPRange
	}
	netFirst, netLast := bounds(c.Subnet)
	first, last := bounds(pool)
	gw := c.Gateway
	for u := uint64(first); u <= uint64(last); u++ {
		if uint32(u) == netFirst || uint32(u) == netLast {
			continue
		}
		ip := fromUint(uint32(u))
		if ip == gw || inUse(ip) {
			continue
		}
		return ip, nil
	}
	return netip.Addr{}, errorf(ErrExhausted, "no available IPv4 addresses on this network's address pools")
}

// Reserve checks that ip may be given to a container that asks for it
// (Docker's --ip): the network needs a user-configured subnet, ip must be a
// host address of that subnet (it may lie outside IPRange, as in Docker) and
// neither the gateway nor in use. The caller records the reservation.
func (c Config) Reserve(ip netip.Addr, inUse func(netip.Addr) bool) error {
	// The rule and its text are runtime/spec's. ipam sees bridge and
	// macvlan networks only; whether one is a user network is the caller's.
	if _, err := spec.CheckIP(ip.String(), spec.IPNetwork{User: true, UserSubnet: c.UserSubnet}); err != nil {
		return errorf(ErrInvalid, "%v", err)
	}
	ip = ip.Unmap()
	if !ip.Is4() || !c.Subnet.Contains(ip) {
		return errorf(ErrInvalid, "Invalid address %s: It does not belong to any of this network's subnets", ip)
	}
	if err := checkHost(c.Subnet, ip, "address"); err != nil {
		return err
	}
	if ip == c.Gateway || inUse(ip) {
		return errorf(ErrAddressInUse, "Address already in use")
	}
	return nil
}
