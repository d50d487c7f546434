package network

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
)

// IP is the container's address on its first network, "" when it has none
// (not running, or not on a network).
func (n *ContainerNet) IP() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if ip := n.primaryIP(); ip.IsValid() {
		return ip.String()
	}
	return ""
}

// IPs maps each network's name to the container's address on it ("" when
// not running).
func (n *ContainerNet) IPs() map[string]string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := map[string]string{}
	for _, a := range n.nets {
		ip := ""
		if a.ep != nil {
			ip = a.ep.Addr.String()
		}
		out[a.net.Name] = ip
	}
	return out
}

// Inspect is docker inspect's NetworkSettings.
func (n *ContainerNet) Inspect() map[string]any {
	n.mu.Lock()
	defer n.mu.Unlock()
	nets := map[string]any{}
	settings := map[string]any{"Networks": nets, "IPAddress": "", "Gateway": "", "MacAddress": "", "IPPrefixLen": int64(0)}
	for _, a := range n.nets {
		doc := n.inspectEndpoint(a)
		nets[a.net.Name] = doc
		if a.net.Name == defaultBridge {
			for _, k := range []string{"IPAddress", "Gateway", "MacAddress", "IPPrefixLen"} {
				settings[k] = doc[k]
			}
		}
	}
	switch n.kind {
	case netHost, netNone:
		nets[n.mode] = map[string]any{"NetworkID": n.mode, "IPAddress": "", "Gateway": "", "MacAddress": "", "Aliases": nil}
	}
	settings["Ports"] = n.inspectPorts()
	return settings
}

// inspectEndpoint is the container's entry under NetworkSettings.Networks.
func (n *ContainerNet) inspectEndpoint(a *attachment) map[string]any {
	doc := map[string]any{
		"NetworkID": a.net.ID, "EndpointID": "", "IPAddress": "", "IPPrefixLen": int64(0),
		"Gateway": "", "MacAddress": "", "Aliases": anyStrings(a.aliases),
	}
	if a.ep != nil {
		doc["EndpointID"] = EndpointID(a.net.ID, n.id)
		doc["IPAddress"] = a.ep.Addr.String()
		doc["IPPrefixLen"] = int64(a.ep.PrefixLen)
		doc["Gateway"] = addrString(a.net.Gateway)
		doc["MacAddress"] = a.ep.MAC
	}
	if a.isUser() {
		doc["Aliases"] = anyStrings(append(slices.Clone(a.aliases), n.id[:12]))
	}
	return doc
}

// inspectPorts is NetworkSettings.Ports: the published ports, with the
// host port a proxy got when 0 was asked, and the exposed ones no -p
// publishes, with null (on a network of the container's own).
func (n *ContainerNet) inspectPorts() map[string]any {
	ports := map[string]any{}
	if n.kind == netNetworks {
		for _, key := range n.exposed {
			ports[key] = nil
		}
	}
	for _, m := range n.ports {
		key := fmt.Sprintf("%d/%s", m.ContainerPort, m.Proto)
		host := "0.0.0.0"
		if m.HostIP.IsValid() {
			host = m.HostIP.String()
		}
		port := m.HostPort
		for _, p := range n.proxies {
			if p.Mapping().ContainerPort == m.ContainerPort && p.Mapping().Proto == m.Proto {
				port = p.HostAddr().Port()
			}
		}
		list, _ := ports[key].([]any)
		ports[key] = append(list, map[string]any{"HostIp": host, "HostPort": strconv.Itoa(int(port))})
	}
	return ports
}

// InspectLinks is HostConfig.Links: "/target:/container/alias".
func (n *ContainerNet) InspectLinks() []any {
	var out []any
	for _, l := range n.links {
		out = append(out, fmt.Sprintf("/%s:/%s/%s", l.target.name, n.name, l.alias))
	}
	return out
}

// PortBindings is HostConfig.PortBindings, as asked (port 0 stays "").
func (n *ContainerNet) PortBindings() map[string]any {
	out := map[string]any{}
	for _, m := range n.ports {
		host, port := "", ""
		if m.HostIP.IsValid() {
			host = m.HostIP.String()
		}
		if m.HostPort != 0 {
			port = fmt.Sprint(m.HostPort)
		}
		key := fmt.Sprintf("%d/%s", m.ContainerPort, m.Proto)
		list, _ := out[key].([]any)
		out[key] = append(list, map[string]any{"HostIp": host, "HostPort": port})
	}
	return out
}

// EndpointID is a stable 64-hex id for a container's endpoint on a
// network, as Docker shows one.
func EndpointID(networkID, containerID string) string {
	sum := sha256.Sum256([]byte(networkID + "/" + containerID))
	return hex.EncodeToString(sum[:])
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// anyStrings converts to []any so the document holds only plain values.
func anyStrings(list []string) []any {
	if list == nil {
		return nil
	}
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}
