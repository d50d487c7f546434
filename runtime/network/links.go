package network

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// onUserNetwork reports whether the container's first network is a user
// network (it then resolves names through the embedded DNS).
func (n *ContainerNet) onUserNetwork() bool {
	return n.kind == netNetworks && len(n.nets) > 0 && n.nets[0].isUser()
}

// linkAliases maps --link aliases to target names: on user networks a
// link is a name only the linking container resolves.
func (n *ContainerNet) linkAliases() map[string]string {
	if len(n.links) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, l := range n.links {
		m[l.alias] = l.target.name
	}
	return m
}

// legacyLinks are the links that act as Docker's legacy links, with
// /etc/hosts lines and variables: on the default bridge. On a user
// network a link is only a name in the embedded DNS.
func (n *ContainerNet) legacyLinks() []link {
	if n.onUserNetwork() {
		return nil
	}
	return n.links
}

// LinkEnv is the environment --link gives on the default bridge, from the
// linked containers as they are now: ALIAS_NAME, ALIAS_ENV_* and the
// ALIAS_PORT_* family for each port the target exposes.
func (n *ContainerNet) LinkEnv() []string {
	n.mu.Lock()
	links := n.legacyLinks()
	n.mu.Unlock()
	var env []string
	for _, l := range links {
		ip := l.target.IP()
		if ip == "" {
			continue
		}
		prefix := strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(l.alias))
		env = append(env, fmt.Sprintf("%s_NAME=/%s/%s", prefix, n.name, l.alias))
		for _, kv := range l.target.env {
			k, v, _ := strings.Cut(kv, "=")
			if k == "PATH" || k == "HOME" {
				continue
			}
			env = append(env, fmt.Sprintf("%s_ENV_%s=%s", prefix, k, v))
		}
		ports := l.target.exposedPorts()
		for i, p := range ports {
			url := fmt.Sprintf("%s://%s:%d", p.Proto, ip, p.ContainerPort)
			if i == 0 {
				env = append(env, fmt.Sprintf("%s_PORT=%s", prefix, url))
			}
			key := fmt.Sprintf("%s_PORT_%d_%s", prefix, p.ContainerPort, strings.ToUpper(p.Proto))
			env = append(env, key+"="+url, key+"_ADDR="+ip, fmt.Sprintf("%s_PORT=%d", key, p.ContainerPort), key+"_PROTO="+p.Proto)
		}
	}
	return env
}

// exposedPort is one of the container's exposed ports.
type exposedPort struct {
	ContainerPort int
	Proto         string
}

// exposedPorts are the container's exposed ports, the published ones
// included, by number, tcp before udp, as Docker orders a link's
// variables.
func (n *ContainerNet) exposedPorts() []exposedPort {
	var ports []exposedPort
	keys := slices.Clone(n.exposed)
	for _, m := range n.ports {
		keys = append(keys, fmt.Sprintf("%d/%s", m.ContainerPort, m.Proto))
	}
	slices.Sort(keys)
	for _, key := range slices.Compact(keys) {
		num, proto, _ := strings.Cut(key, "/")
		p, err := strconv.Atoi(num)
		if err != nil {
			continue // the backend's merge made these from parsed ports
		}
		ports = append(ports, exposedPort{p, proto})
	}
	slices.SortFunc(ports, func(a, b exposedPort) int {
		if a.ContainerPort != b.ContainerPort {
			return a.ContainerPort - b.ContainerPort
		}
		return strings.Compare(a.Proto, b.Proto)
	})
	return ports
}
