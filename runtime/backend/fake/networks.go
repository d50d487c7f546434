package fake

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"berth/runtime/backend"
)

// netRecord is a stored network and the addresses in use on it.
type netRecord struct {
	info    backend.NetworkInfo
	subnet  netip.Prefix
	gateway netip.Addr
	ipRange netip.Prefix
	used    map[netip.Addr]string // address → container id
}

func (b *Backend) CreateNetwork(ctx context.Context, ns backend.NetworkSpec) (backend.NetworkInfo, error) {
	driver := ns.Driver
	if driver == "" {
		driver = "bridge"
	}
	if err := b.checkDriver(driver, ns.Options); err != nil {
		return backend.NetworkInfo{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.networks[ns.Name]; ok {
		return backend.NetworkInfo{}, errorf(backend.ErrNetworkExists, "network with name %s already exists", ns.Name)
	}
	rec, err := b.addressing(ns)
	if err != nil {
		return backend.NetworkInfo{}, fmt.Errorf("create network %q: %w", ns.Name, err)
	}
	rec.info = backend.NetworkInfo{
		Name: ns.Name, StoredName: ns.Name, ID: newID(), Driver: driver,
		Subnet: rec.subnet.String(), Gateway: rec.gateway.String(), UserSubnet: ns.Subnet != "",
		Internal: ns.Internal, Options: ns.Options, Labels: ns.Labels, Created: time.Now().UTC(),
		Default: ns.Default,
	}
	if rec.ipRange.IsValid() {
		rec.info.IPRange = rec.ipRange.String()
	}
	b.networks[ns.Name] = rec
	return rec.info, nil
}

// checkDriver accepts bridge, and macvlan on a parent the fake host has.
func (b *Backend) checkDriver(driver string, opts map[string]string) error {
	switch driver {
	case "bridge":
		return nil
	case "macvlan":
		parent := opts["parent"]
		if parent == "" {
			return errorf(backend.ErrInvalid, "macvlan needs a parent interface: options={\"parent\": IFACE}")
		}
		if !b.host.hasLink(parent) {
			return errorf(backend.ErrInvalid, "-o parent interface was not found on the host: %s", parent)
		}
		return nil
	}
	return errorf(backend.ErrInvalid, "plugin %q not found: berth has the drivers \"bridge\" and \"macvlan\"", driver)
}

// addressing parses the subnet, gateway and range, or picks a subnet. The
// caller holds b.mu.
func (b *Backend) addressing(ns backend.NetworkSpec) (*netRecord, error) {
	rec := &netRecord{used: map[netip.Addr]string{}}
	if ns.Subnet == "" {
		if ns.Gateway != "" || ns.IPRange != "" {
			return nil, errorf(backend.ErrInvalid, "every ip-range or gateway must have a corresponding subnet")
		}
		rec.subnet = netip.PrefixFrom(netip.AddrFrom4([4]byte{172, byte(18 + b.nextNet%200), 0, 0}), 16)
		b.nextNet++
		rec.gateway = rec.subnet.Addr().Next()
		return rec, nil
	}
	p, err := netip.ParsePrefix(ns.Subnet)
	if err != nil || !p.Addr().Is4() {
		return nil, errorf(backend.ErrInvalid, "invalid CIDR address: %s", ns.Subnet)
	}
	rec.subnet = p.Masked()
	rec.gateway = rec.subnet.Addr().Next()
	if ns.Gateway != "" {
		gw, err := netip.ParseAddr(ns.Gateway)
		if err != nil {
			return nil, errorf(backend.ErrInvalid, "invalid gateway IP address: %s (want an IPv4 address such as 172.18.0.1)", ns.Gateway)
		}
		if !rec.subnet.Contains(gw) {
			return nil, errorf(backend.ErrInvalid, "no matching subnet for gateway %s", ns.Gateway)
		}
		rec.gateway = gw
	}
	if ns.IPRange != "" {
		r, err := netip.ParsePrefix(ns.IPRange)
		if err != nil {
			return nil, errorf(backend.ErrInvalid, "invalid CIDR address: %s", ns.IPRange)
		}
		if r = r.Masked(); r.Bits() < rec.subnet.Bits() || !rec.subnet.Contains(r.Addr()) {
			return nil, errorf(backend.ErrInvalid, "no matching subnet for range %s", ns.IPRange)
		}
		rec.ipRange = r
	}
	return rec, nil
}

// recordByID finds a network by id. The caller holds b.mu.
func (b *Backend) recordByID(id string) *netRecord {
	for _, rec := range b.networks {
		if rec.info.ID == id {
			return rec
		}
	}
	return nil
}

func (b *Backend) Network(ctx context.Context, ref string) (backend.NetworkInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if rec, ok := b.networks[ref]; ok {
		return rec.info, nil
	}
	if rec := b.recordByID(ref); rec != nil {
		return rec.info, nil
	}
	return backend.NetworkInfo{}, backend.NoSuchNetwork(ref)
}

func (b *Backend) NetworkEndpoints(ctx context.Context, id string) ([]backend.EndpointInfo, error) {
	var eps []backend.EndpointInfo
	for _, c := range b.Containers() {
		if ep, ok := c.endpoint(id); ok {
			eps = append(eps, ep)
		}
	}
	return eps, nil
}

func (b *Backend) RemoveNetwork(ctx context.Context, n backend.NetworkInfo) error {
	eps, _ := b.NetworkEndpoints(ctx, n.ID)
	b.mu.Lock()
	defer b.mu.Unlock()
	rec := b.recordByID(n.ID)
	if rec == nil {
		return backend.NoSuchNetwork(n.Name)
	}
	if len(eps) > 0 || len(rec.used) > 0 {
		return errorf(backend.ErrActiveEndpoints, "error while removing network: network %s id %s has active endpoints", n.Name, n.ID)
	}
	delete(b.networks, rec.info.StoredName)
	return nil
}

// allocate gives container id an address on network netID: want, or the
// first free one of the range (or subnet) after the gateway.
func (b *Backend) allocate(netID, id, want string) (netip.Addr, int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	rec := b.recordByID(netID)
	if rec == nil {
		return netip.Addr{}, 0, backend.NoSuchNetwork(netID)
	}
	if want != "" {
		ip, err := netip.ParseAddr(want)
		if err != nil || !rec.subnet.Contains(ip) {
			return netip.Addr{}, 0, errorf(backend.ErrInvalid, "no configured subnet or ip-range contain the IP address %s", want)
		}
		if _, taken := rec.used[ip]; taken || ip == rec.gateway {
			return netip.Addr{}, 0, errorf(backend.ErrInvalid, "Address already in use")
		}
		rec.used[ip] = id
		return ip, rec.subnet.Bits(), nil
	}
	pool := rec.subnet
	if rec.ipRange.IsValid() {
		pool = rec.ipRange
	}
	for ip := pool.Addr().Next(); pool.Contains(ip.Next()); ip = ip.Next() {
		if _, taken := rec.used[ip]; !taken && ip != rec.gateway {
			rec.used[ip] = id
			return ip, rec.subnet.Bits(), nil
		}
	}
	return netip.Addr{}, 0, fmt.Errorf("no available IPv4 addresses on this network's address pools")
}

// release frees the addresses of container id on network netID.
func (b *Backend) release(netID, id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if rec := b.recordByID(netID); rec != nil {
		for ip, owner := range rec.used {
			if owner == id {
				delete(rec.used, ip)
			}
		}
	}
}

// Networks lists the stored networks' names, for tests checking what a
// sandbox left.
func (b *Backend) Networks() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var names []string
	for name := range b.networks {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
