package spec

import "net/netip"

// IPNetwork is what Docker's rule for a fixed address (--ip) asks of the
// network the address is wanted on.
type IPNetwork struct {
	// User is set for a network a scenario created: not the default
	// bridge, host, none or another container's namespace.
	User bool
	// UserSubnet is set when the network's subnet was given at its
	// creation: only then may a container pick its own address on it.
	UserSubnet bool
	// Unresolved is set before the network is looked up (Validate, which
	// knows only the name): its subnet is checked once it is.
	Unresolved bool
}

// CheckIP is the one place of Docker's rule for a fixed address, run's
// ip= and network.connect's ip=, with Docker's texts in Docker's order (its
// CLI parses the address before the daemon looks at the network): ip must
// parse, the network must be a user network, and its subnet must have been
// given at create. An empty ip asks for nothing and passes. It returns the
// parsed address.
func CheckIP(ip string, n IPNetwork) (netip.Addr, error) {
	if ip == "" {
		return netip.Addr{}, nil
	}
	addr, err := netip.ParseAddr(ip)
	switch {
	case err != nil:
		return netip.Addr{}, invalidf("invalid IPv4 address: %s", ip)
	case !n.User:
		return netip.Addr{}, invalidf("user specified IP address is supported on user defined networks only")
	case !n.UserSubnet && !n.Unresolved:
		return netip.Addr{}, invalidf("user specified IP address is supported only when connecting to networks with user configured subnets")
	}
	return addr, nil
}
