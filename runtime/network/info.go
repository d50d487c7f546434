package network

import (
	"fmt"
	"net/netip"

	"berth/runtime/backend"
)

// Info is the record as the backend seam shows it.
func (rec Record) Info() backend.NetworkInfo {
	return backend.NetworkInfo{
		Name: rec.Name, StoredName: rec.Name, ID: rec.ID, Driver: rec.Driver,
		Subnet: prefixString(rec.Subnet), Gateway: addrString(rec.Gateway), IPRange: prefixString(rec.IPRange),
		UserSubnet: rec.UserSubnet, Internal: rec.Internal, Options: rec.Options, Labels: rec.Labels,
		Created: rec.Created, Default: rec.Default,
	}
}

// Info is the endpoint as the backend seam shows it.
func (ep Endpoint) Info() backend.EndpointInfo {
	return backend.EndpointInfo{
		ContainerID: ep.ContainerID, ContainerName: ep.ContainerName, MAC: ep.MAC,
		Address: fmt.Sprintf("%s/%d", ep.Addr, ep.PrefixLen),
	}
}

func prefixString(p netip.Prefix) string {
	if !p.IsValid() {
		return ""
	}
	return p.String()
}
