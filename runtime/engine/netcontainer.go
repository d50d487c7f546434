package engine

import (
	"net/netip"

	"berth/runtime/network"
	"berth/runtime/network/dns"
)

// netScope is what a container's networking (runtime/network) sees of
// its sandbox: networks and containers by the scenario's names, and the
// file's DNS table.
type netScope struct{ s *Sandbox }

func (n netScope) Network(name string) (network.Record, error) {
	nw, err := n.s.Network(name)
	if err != nil {
		return network.Record{}, err
	}
	return nw.shown(), nil
}

func (n netScope) Container(ref string) (*network.ContainerNet, error) {
	c, err := n.s.Lookup(ref)
	if err != nil {
		return nil, err
	}
	return c.net, nil
}

func (n netScope) DNS() *dns.Table { return n.s.dnsTable() }

// IP is the container's address on its first network, "" when it has none
// (not running, or not on a network).
func (c *Container) IP() string { return c.net.IP() }

// IPs maps each network's name to the container's address on it.
func (c *Container) IPs() map[string]string { return c.net.IPs() }

// ConnectNetwork attaches the container to another network (docker
// network connect); a running container gets the next ethN at once.
func (c *Container) ConnectNetwork(n Network, aliases []string, ip string) error {
	return c.net.Connect(n.shown(), n.predefined != "", network.EndpointOptions{Aliases: aliases, IP: ip})
}

// DisconnectNetwork detaches the container from a network (docker network
// disconnect).
func (c *Container) DisconnectNetwork(n Network) error {
	return c.net.Disconnect(n.shown())
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func prefixString(p netip.Prefix) string {
	if !p.IsValid() {
		return ""
	}
	return p.String()
}
