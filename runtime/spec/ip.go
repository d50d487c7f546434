package spec

import (
	"fmt"
	"net/netip"
)

// IPNetwork is what Docker's rules for a container's place on a network
// (--ip, --net-alias) ask of that network.
type IPNetwork struct {
	// Name is the network as the scenario names it, for the errors.
	Name string
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

// got names what was asked, for Docker's texts, which name nothing.
func (n IPNetwork) got(what string, v any, more string) string {
	if n.Name == "" {
		return ""
	}
	return fmt.Sprintf(": got %s %v on network %q%s", what, v, n.Name, more)
}

// CheckEndpoint is the one place of the rules for what a container asks
// of one network, at create (run's network=, aliases=, ip=) and at
// network.connect: aliases only on user networks, each a valid name, and
// a fixed address as CheckIP says. It returns the parsed address.
func CheckEndpoint(n IPNetwork, aliases []string, ip string) (netip.Addr, error) {
	if len(aliases) > 0 && !n.User {
		return netip.Addr{}, invalidf("network-scoped aliases are only supported for user-defined networks%s", n.got("aliases", fmt.Sprintf("%q", aliases), ""))
	}
	for _, a := range aliases {
		if err := CheckAlias(a); err != nil {
			return netip.Addr{}, err
		}
	}
	return CheckIP(ip, n)
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
		return netip.Addr{}, invalidf("user specified IP address is supported on user defined networks only%s", n.got("ip", ip, ""))
	case !n.UserSubnet && !n.Unresolved:
		return netip.Addr{}, invalidf("user specified IP address is supported only when connecting to networks with user configured subnets%s", n.got("ip", ip, ", created without subnet"))
	}
	return addr, nil
}
