package fake

import (
	"context"
	"fmt"
	"net/netip"
	"slices"

	"berth/runtime/backend"
	"berth/runtime/spec"
)

// wireLocked gives the container an address on each of its networks as
// it starts; on failure it undoes what it did. The caller holds c.mu.
func (c *Container) wireLocked() error {
	if c.netMode != netNetworks {
		return nil
	}
	for _, a := range c.nets {
		if err := c.attachLocked(a); err != nil {
			c.unwireLocked()
			return err
		}
	}
	return nil
}

func (c *Container) attachLocked(a *attachment) error {
	addr, bits, err := c.b.allocate(a.net.ID, c.id, a.ip)
	if err != nil {
		return fmt.Errorf("connect %s to network %s: %w", c.name, a.net.Name, err)
	}
	a.addr, a.prefix = addr, bits
	return nil
}

// unwireLocked frees the container's addresses: they are not sticky
// across a stop and a start, as in Docker. The caller holds c.mu.
func (c *Container) unwireLocked() {
	for _, a := range c.nets {
		if a.addr.IsValid() {
			c.b.release(a.net.ID, c.id)
			a.addr = netip.Addr{}
		}
	}
}

// mac is the address Docker derives from an IPv4 address.
func mac(ip netip.Addr) string {
	b := ip.As4()
	return fmt.Sprintf("02:42:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3])
}

// endpoint is the container's endpoint on network netID, while it runs.
func (c *Container) endpoint(netID string) (backend.EndpointInfo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, a := range c.nets {
		if a.net.ID == netID && a.addr.IsValid() {
			return backend.EndpointInfo{
				ContainerID: c.id, ContainerName: c.name, MAC: mac(a.addr),
				Address: netip.PrefixFrom(a.addr, a.prefix).String(),
			}, true
		}
	}
	return backend.EndpointInfo{}, false
}

func (c *Container) IP() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.nets) == 0 || !c.nets[0].addr.IsValid() {
		return ""
	}
	return c.nets[0].addr.String()
}

func (c *Container) IPs() map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]string{}
	for _, a := range c.nets {
		ip := ""
		if a.addr.IsValid() {
			ip = a.addr.String()
		}
		out[a.net.Name] = ip
	}
	return out
}

// checkConnect applies docker network connect's rules, with its texts.
func (c *Container) checkConnect(n backend.NetworkInfo, opts backend.EndpointOptions) error {
	switch {
	case c.netMode != netNetworks:
		return errorf(backend.ErrInvalid, "container sharing network namespace with another container or host cannot be connected to any other network")
	case n.Predefined:
		return errorf(backend.ErrInvalid, "container cannot be disconnected from host network or connected to host network")
	case slices.ContainsFunc(c.nets, func(a *attachment) bool { return a.net.ID == n.ID }):
		return errorf(backend.ErrConnected, "endpoint with name %s already exists in network %s", c.name, n.Name)
	case len(opts.Aliases) > 0 && !n.User():
		return errorf(backend.ErrInvalid, "network-scoped aliases are only supported for user-defined networks")
	}
	_, err := spec.CheckIP(opts.IP, spec.IPNetwork{User: n.User(), UserSubnet: n.UserSubnet})
	return err
}

func (c *Container) ConnectNetwork(ctx context.Context, n backend.NetworkInfo, opts backend.EndpointOptions) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.checkConnect(n, opts); err != nil {
		return err
	}
	a := &attachment{net: n, aliases: slices.Clone(opts.Aliases), ip: opts.IP}
	if c.state.Status == backend.StatusRunning {
		if err := c.attachLocked(a); err != nil {
			return err
		}
	}
	c.nets = append(c.nets, a)
	return nil
}

func (c *Container) DisconnectNetwork(ctx context.Context, n backend.NetworkInfo) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := slices.IndexFunc(c.nets, func(a *attachment) bool { return a.net.ID == n.ID })
	if i < 0 {
		return errorf(backend.ErrNotConnected, "container %s is not connected to network %s", c.id, n.Name)
	}
	if c.nets[i].addr.IsValid() {
		c.b.release(n.ID, c.id)
	}
	c.nets = slices.Delete(c.nets, i, i+1)
	return nil
}
