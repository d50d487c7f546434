package network

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"

	"berth/runtime/network/ipam"
	"berth/runtime/network/netdev"
)

// ConnectRequest attaches a container's network namespace to a network.
type ConnectRequest struct {
	ContainerID, ContainerName string
	Aliases                    []string
	IP                         netip.Addr // --ip; invalid = allocate
	NSPath                     string     // the container's network namespace
	IfName                     string     // "eth0", "eth1", …
	DefaultRoute               bool       // only on the first network
}

// Connect allocates an address on the network and wires the container's
// namespace to it. On failure nothing is left: no address, no link.
func (m *Manager) Connect(rec Record, req ConnectRequest) (Endpoint, error) {
	lock, err := m.lockNet(rec.ID)
	if err != nil {
		return Endpoint{}, fmt.Errorf("connect to network %s: %w", rec.Name, err)
	}
	defer lock.Unlock()
	eps, err := m.liveEndpoints(rec.ID)
	if err != nil {
		return Endpoint{}, err
	}
	used := map[netip.Addr]bool{}
	for _, ep := range eps {
		if ep.ContainerID == req.ContainerID {
			return Endpoint{}, errorf(ErrConnected, "endpoint with name %s already exists in network %s", req.ContainerName, rec.Name)
		}
		used[ep.Addr] = true
	}
	inUse := func(a netip.Addr) bool { return used[a] }
	cfg := rec.IPAM()
	addr := req.IP
	if addr.IsValid() {
		err = cfg.Reserve(addr, inUse)
		if errors.Is(err, ipam.ErrAddressInUse) || (err != nil && !rec.UserSubnet) {
			err = fmt.Errorf("%w: got ip %s on network %s", err, addr, rec.Name) // Docker's texts name neither
		}
	} else {
		addr, err = cfg.Allocate(inUse)
		if errors.Is(err, ipam.ErrExhausted) {
			err = fmt.Errorf("%w: %s (%s)", err, rec.Name, rec.ID)
		}
	}
	if err != nil {
		return Endpoint{}, err
	}
	ep := Endpoint{
		ContainerID: req.ContainerID, ContainerName: req.ContainerName,
		Addr: addr, PrefixLen: rec.Subnet.Bits(), MAC: ipam.MAC(addr).String(),
		IfName: req.IfName, Aliases: req.Aliases, Owner: m.owner,
	}
	link := netdev.Endpoint{
		IfName: req.IfName, Addr: netip.PrefixFrom(addr, rec.Subnet.Bits()), MAC: ipam.MAC(addr),
		Gateway: rec.Gateway, DefaultRoute: req.DefaultRoute && !rec.Internal,
		// Containers on user networks resolve names through the embedded
		// DNS: keep its round-robin order intact for glibc (see netdev).
		HostAddress: !rec.Default,
	}
	switch rec.Driver {
	case DriverBridge:
		ep.HostVeth, err = netdev.AttachVeth(m.host, rec.Device, req.NSPath, link)
	case DriverMacvlan:
		err = netdev.AttachMacvlan(m.host, rec.Device, rec.Options["macvlan_mode"], req.NSPath, link)
	}
	if err != nil {
		return Endpoint{}, fmt.Errorf("connect %s to network %s: %w", req.ContainerName, rec.Name, err)
	}
	// Written under the network's lock, which every allocation holds: the
	// address is taken from here on.
	if err := writeEndpoint(m.endpointPath(rec.ID, req.ContainerID), ep); err != nil {
		if ep.HostVeth != "" {
			_ = netdev.Detach(m.host, ep.HostVeth)
		}
		return Endpoint{}, fmt.Errorf("connect to network %s: %w", rec.Name, err)
	}
	return ep, nil
}

// Disconnect removes a container's endpoint. With nsPath, the interface
// is removed from the running container; without, the namespace is gone
// already (the container stopped) and only the address is released.
func (m *Manager) Disconnect(rec Record, containerID, nsPath string) error {
	lock, err := m.lockNet(rec.ID)
	if err != nil {
		return fmt.Errorf("disconnect from network %s: %w", rec.Name, err)
	}
	defer lock.Unlock()
	path := m.endpointPath(rec.ID, containerID)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return errorf(ErrNotConnected, "container %s is not connected to network %s", containerID, rec.Name)
	}
	if err != nil {
		return fmt.Errorf("disconnect from network %s: %w", rec.Name, err)
	}
	var ep Endpoint
	if err := json.Unmarshal(data, &ep); err != nil {
		return fmt.Errorf("disconnect from network %s: %w", rec.Name, err)
	}
	if nsPath != "" {
		if err := netdev.DetachInNS(nsPath, ep.IfName); err != nil && !errors.Is(err, netdev.ErrNotFound) {
			return fmt.Errorf("disconnect from network %s: %w", rec.Name, err)
		}
	} else if ep.HostVeth != "" {
		// The namespace is dying and takes the pair with it, later: off
		// the bridge now, before the address is given out again.
		if err := netdev.Unbridge(m.host, ep.HostVeth); err != nil {
			return fmt.Errorf("disconnect from network %s: %w", rec.Name, err)
		}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("disconnect from network %s: %w", rec.Name, err)
	}
	return nil
}

func (m *Manager) endpointPath(netID, containerID string) string {
	return filepath.Join(m.netDir(netID), "endpoints", containerID+".json")
}

// writeEndpoint writes through a temporary file and a rename, without an
// fsync: an endpoint lives no longer than its owner process, and a crash
// makes the owner dead anyway.
func writeEndpoint(path string, ep Endpoint) error {
	data, err := json.Marshal(ep)
	if err != nil {
		return err
	}
	tmp := path + "." + strconv.Itoa(os.Getpid()) + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
