package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"berth/runtime/container"
	"berth/runtime/network"
	"berth/runtime/network/dns"
	"berth/runtime/network/portproxy"
	"berth/runtime/spec"
)

// netKind is how a container gets its network namespace.
type netKind int

const (
	netNetworks  netKind = iota // its own namespace, on one or more networks
	netNone                     // its own namespace with lo only
	netHost                     // the host's namespace
	netContainer                // another container's namespace
)

// attachment is the container's place on one network; ep is set while it
// runs (addresses are not sticky across stop and start, as in Docker).
type attachment struct {
	net     Network
	aliases []string
	ip      netip.Addr // --ip; invalid = allocate
	ep      *network.Endpoint
}

// link is --link target[:alias].
type link struct {
	target *Container
	alias  string
}

// netState is the container's networking, guarded by Container.mu.
type netState struct {
	kind    netKind
	join    *Container   // netContainer: whose namespace
	joiners []*Container // containers created with network="container:<this one>"
	nets    []*attachment
	links   []link
	ports   []portproxy.Mapping
	nextIf  int // eth<N> of the next interface; never reused in one run
	dns     *dns.Server
	proxies []*portproxy.Proxy
	linkEnv []string // --link's variables, computed at each start
	nsIno   uint64   // the network namespace of the current run
}

// leaveJoined takes a container made with network="container:NAME" off
// NAME's list of joiners.
func (c *Container) leaveJoined() {
	t := c.net.join
	if t == nil {
		return
	}
	t.mu.Lock()
	t.net.joiners = slices.DeleteFunc(t.net.joiners, func(j *Container) bool { return j == c })
	t.mu.Unlock()
}

// netnsIno is the inode of a process's network namespace, 0 if unknown.
func netnsIno(path string) uint64 {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0
	}
	return st.Ino
}

// userResolvConf is what containers on user networks get: the embedded
// DNS server, with no search-domain expansion (Docker's ndots:0).
const userResolvConf = "nameserver 127.0.0.11\noptions ndots:0\n"

// resolveNetworking applies the network options at create.
func (s *Sandbox) resolveNetworking(c *Container) error {
	cs := c.spec
	ns := &c.net
	mode := cs.Network
	switch {
	case mode == "none":
		ns.kind = netNone
	case mode == "host":
		ns.kind = netHost
	case strings.HasPrefix(mode, "container:"):
		target, err := s.Lookup(strings.TrimPrefix(mode, "container:"))
		if err != nil {
			return err
		}
		ns.kind, ns.join = netContainer, target
		target.mu.Lock()
		target.net.joiners = append(target.net.joiners, c)
		target.mu.Unlock()
	default:
		if mode == "" || mode == "default" {
			mode = defaultBridge
		}
		n, err := s.Network(mode)
		if err != nil {
			return err
		}
		a := &attachment{net: n, aliases: slices.Clone(cs.Aliases)}
		if cs.IP != "" {
			a.ip = netip.MustParseAddr(cs.IP) // checked by spec.Validate
			if !n.rec.UserSubnet {
				return errorf(spec.ErrInvalid, "user specified IP address is supported only when connecting to networks with user configured subnets: got ip %s on network %q, created without subnet", cs.IP, n.Name)
			}
		}
		ns.nets = []*attachment{a}
	}
	for _, l := range cs.Links {
		name, alias, _ := strings.Cut(l, ":")
		if alias == "" {
			alias = name
		}
		target, err := s.Lookup(name)
		if err != nil {
			return fmt.Errorf("could not get container for %s: %w", name, err)
		}
		ns.links = append(ns.links, link{target: target, alias: alias})
	}
	for _, p := range cs.Ports {
		m, err := portproxy.ParseMapping(p)
		if err != nil {
			return errorf(spec.ErrInvalid, "%v", err)
		}
		// As Docker: checked always, published only from a namespace of
		// the container's own on a network (host and none discard them).
		if ns.kind == netNetworks {
			ns.ports = append(ns.ports, m)
		}
	}
	return nil
}

// onUserNetwork reports whether the container's first network is a user
// network (it then resolves names through the embedded DNS).
func (c *Container) onUserNetwork() bool {
	return c.net.kind == netNetworks && len(c.net.nets) > 0 && c.net.nets[0].net.IsUser()
}

// wireNetworks connects a just-started container (its init waits before
// the user's program) to its networks, starts its DNS server and its port
// proxies, and writes its /etc/hosts. On failure it undoes what it did.
func (c *Container) wireNetworks(inst *container.Instance) (retErr error) {
	if c.net.kind != netNetworks {
		return nil
	}
	defer func() {
		if retErr != nil {
			c.unwireNetworks()
		}
	}()
	nsPath := inst.NetNSPath()
	c.net.nextIf = 0
	c.net.nsIno = netnsIno(nsPath)
	for i, a := range c.net.nets {
		if err := c.connectLocked(a, nsPath, i == 0); err != nil {
			return err
		}
	}
	if err := c.ensureDNSLocked(nsPath); err != nil {
		return err
	}
	if ip := c.primaryIP(); ip.IsValid() {
		for _, m := range c.net.ports {
			p, err := portproxy.Start(m, netip.AddrPortFrom(ip, m.ContainerPort))
			if err != nil {
				return fmt.Errorf("driver failed programming external connectivity on endpoint %s: %w", c.name, err)
			}
			c.net.proxies = append(c.net.proxies, p)
		}
	}
	return c.writeHosts()
}

// connectLocked attaches a running container to one network.
func (c *Container) connectLocked(a *attachment, nsPath string, first bool) error {
	ep, err := c.e.nets.Connect(a.net.shown(), network.ConnectRequest{
		ContainerID: c.id, ContainerName: c.name, Aliases: a.aliases, IP: a.ip,
		NSPath: nsPath, IfName: "eth" + strconv.Itoa(c.net.nextIf), DefaultRoute: first,
	})
	if err != nil {
		return err
	}
	c.net.nextIf++
	a.ep = &ep
	if a.net.IsUser() {
		if err := c.sb.dnsTable().Join(a.net.Name, dns.Endpoint{
			ContainerID: c.id, Name: c.name, Aliases: a.aliases, Addr: ep.Addr, Links: c.linkAliases(),
		}); err != nil {
			return fmt.Errorf("connect %s to network %s: %w", c.name, a.net.Name, err)
		}
	}
	return nil
}

// linkAliases maps --link aliases to target names: on user networks a
// link is a name only the linking container resolves.
func (c *Container) linkAliases() map[string]string {
	if len(c.net.links) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, l := range c.net.links {
		m[l.alias] = l.target.name
	}
	return m
}

// ensureDNSLocked starts the embedded DNS server in the container's
// namespace once it is on a user network.
func (c *Container) ensureDNSLocked(nsPath string) error {
	if c.net.dns != nil || !slices.ContainsFunc(c.net.nets, func(a *attachment) bool { return a.net.IsUser() && a.ep != nil }) {
		return nil
	}
	pc, l, err := dns.ListenInNetNS(nsPath)
	if err != nil {
		return fmt.Errorf("container %s: embedded DNS: %w", c.name, err)
	}
	srv := dns.NewServer(c.sb.dnsTable(), c.id)
	if err := srv.Serve(pc, l); err != nil {
		return fmt.Errorf("container %s: embedded DNS: %w", c.name, err)
	}
	c.net.dns = srv
	// A container that started on the default bridge and is connected
	// to a user network now resolves through the embedded DNS too, as in
	// Docker.
	resolv := filepath.Join(c.dir, "resolv.conf")
	if data, err := os.ReadFile(resolv); err == nil && string(data) != userResolvConf {
		return writeInPlace(resolv, userResolvConf)
	}
	return nil
}

// unwireNetworks releases what wireNetworks set up: the proxies, the DNS
// server, the DNS entries and the addresses. The interfaces went with the
// namespace.
func (c *Container) unwireNetworks() {
	for _, p := range c.net.proxies {
		_ = p.Close()
	}
	c.net.proxies = nil
	if c.net.dns != nil {
		_ = c.net.dns.Close()
		c.net.dns = nil
	}
	c.sb.dnsTable().LeaveAll(c.id)
	// Containers that joined this one's namespace keep it alive after
	// this one's exit: take the interfaces out of it, as Docker tears the
	// network down, so the released addresses are nobody's.
	joined := ""
	for _, j := range c.net.joiners {
		if pid := j.livePid.Load(); pid > 0 {
			if p := fmt.Sprintf("/proc/%d/ns/net", pid); c.net.nsIno != 0 && netnsIno(p) == c.net.nsIno {
				joined = p
				break
			}
		}
	}
	for _, a := range c.net.nets {
		if a.ep != nil {
			_ = c.e.nets.Disconnect(a.net.shown(), c.id, joined)
			a.ep = nil
		}
	}
}

// primaryIP is the address on the first network, while running.
func (c *Container) primaryIP() netip.Addr {
	if len(c.net.nets) == 0 || c.net.nets[0].ep == nil {
		return netip.Addr{}
	}
	return c.net.nets[0].ep.Addr
}

// writeHosts writes /etc/hosts as Docker does: the standard lines, the
// links, then the container's own address and hostname. The file is
// rewritten in place: it is bind-mounted, and a new inode would not show.
func (c *Container) writeHosts() error {
	var b strings.Builder
	b.WriteString(hostsHeader)
	for _, l := range c.legacyLinks() {
		ip := l.target.IP()
		if ip == "" {
			continue
		}
		names := []string{l.alias, l.target.hostname}
		if l.target.name != l.alias {
			names = append(names, l.target.name)
		}
		fmt.Fprintf(&b, "%s\t%s\n", ip, strings.Join(names, " "))
	}
	if ip := c.primaryIP(); ip.IsValid() {
		fmt.Fprintf(&b, "%s\t%s\n", ip, c.hostname)
	}
	return writeInPlace(filepath.Join(c.dir, "hosts"), b.String())
}

func writeInPlace(path, content string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(content)
	return errors.Join(err, f.Close())
}

// legacyLinks are the links that act as Docker's legacy links, with
// /etc/hosts lines and variables: on the default bridge. On a user
// network a link is only a name in the embedded DNS.
func (c *Container) legacyLinks() []link {
	if c.onUserNetwork() {
		return nil
	}
	return c.net.links
}

// linkEnv is the environment --link gives on the default bridge:
// ALIAS_NAME, ALIAS_ENV_* and the ALIAS_PORT_* family for each port the
// target publishes.
func (c *Container) linkEnv() []string {
	var env []string
	for _, l := range c.legacyLinks() {
		ip := l.target.IP()
		if ip == "" {
			continue
		}
		prefix := strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(l.alias))
		env = append(env, fmt.Sprintf("%s_NAME=/%s/%s", prefix, c.name, l.alias))
		for _, kv := range l.target.spec.Env {
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

// exposedPorts are the container's published ports, by number.
func (c *Container) exposedPorts() []portproxy.Mapping {
	ports := slices.Clone(c.net.ports)
	slices.SortFunc(ports, func(a, b portproxy.Mapping) int { return int(a.ContainerPort) - int(b.ContainerPort) })
	return ports
}

// IP is the container's address on its first network, "" when it has none
// (not running, or not on a network).
func (c *Container) IP() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return addrString(c.primaryIP())
}

// IPs maps each network's name to the container's address on it.
func (c *Container) IPs() map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]string{}
	for _, a := range c.net.nets {
		ip := ""
		if a.ep != nil {
			ip = a.ep.Addr.String()
		}
		out[a.net.Name] = ip
	}
	return out
}

// ConnectNetwork attaches the container to another network (docker
// network connect); a running container gets the next ethN at once.
func (c *Container) ConnectNetwork(n Network, aliases []string, ip string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch c.net.kind {
	case netNone, netHost, netContainer:
		return errorf(spec.ErrInvalid, "container sharing network namespace with another container or host cannot be connected to any other network: got container %s (network %q) and network %s", c.name, c.spec.Network, n.Name)
	}
	if n.predefined != "" {
		return errorf(spec.ErrInvalid, "container cannot be disconnected from host network or connected to host network: got network %s", n.Name)
	}
	for _, a := range c.net.nets {
		if a.net.ID() == n.ID() {
			return errorf(network.ErrConnected, "endpoint with name %s already exists in network %s", c.name, n.Name)
		}
	}
	if err := spec.CheckEndpoint(n.Name, n.IsUser(), aliases, ip); err != nil {
		return err
	}
	a := &attachment{net: n, aliases: slices.Clone(aliases)}
	if ip != "" {
		a.ip, _ = netip.ParseAddr(ip) // checked
	}
	c.net.nets = append(c.net.nets, a)
	if c.status == StatusRunning && c.inst != nil {
		ns := c.inst.NetNSPath()
		err := c.connectLocked(a, ns, len(c.net.nets) == 1)
		if err == nil {
			err = c.ensureDNSLocked(ns)
		}
		if err != nil {
			if a.ep != nil {
				_ = c.e.nets.Disconnect(a.net.shown(), c.id, ns)
				c.sb.dnsTable().Leave(a.net.Name, c.id)
			}
			c.net.nets = c.net.nets[:len(c.net.nets)-1]
			return err
		}
	}
	return nil
}

// DisconnectNetwork detaches the container from a network (docker network
// disconnect).
func (c *Container) DisconnectNetwork(n Network) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := slices.IndexFunc(c.net.nets, func(a *attachment) bool { return a.net.ID() == n.ID() })
	if i < 0 {
		return errorf(network.ErrNotConnected, "container %s is not connected to network %s", c.id, n.Name)
	}
	a := c.net.nets[i]
	if a.ep != nil {
		ns := ""
		if c.inst != nil {
			ns = c.inst.NetNSPath()
		}
		if err := c.e.nets.Disconnect(a.net.shown(), c.id, ns); err != nil {
			return err
		}
		a.ep = nil
		if a.net.IsUser() {
			c.sb.dnsTable().Leave(a.net.Name, c.id)
		}
	}
	c.net.nets = slices.Delete(c.net.nets, i, i+1)
	return nil
}

// inspectNetworks is inspect's NetworkSettings.
func (c *Container) inspectNetworks() map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	nets := map[string]any{}
	settings := map[string]any{"Networks": nets, "IPAddress": "", "Gateway": "", "MacAddress": "", "IPPrefixLen": int64(0)}
	for _, a := range c.net.nets {
		doc := map[string]any{
			"NetworkID": a.net.ID(), "EndpointID": "", "IPAddress": "", "IPPrefixLen": int64(0),
			"Gateway": "", "MacAddress": "", "Aliases": strs(a.aliases),
		}
		if a.ep != nil {
			doc["EndpointID"] = endpointID(a.net.ID(), c.id)
			doc["IPAddress"] = a.ep.Addr.String()
			doc["IPPrefixLen"] = int64(a.ep.PrefixLen)
			doc["Gateway"] = a.net.Gateway()
			doc["MacAddress"] = a.ep.MAC
		}
		if a.net.IsUser() {
			doc["Aliases"] = strs(append(slices.Clone(a.aliases), c.id[:12]))
		}
		nets[a.net.Name] = doc
		if a.net.Name == defaultBridge {
			for _, k := range []string{"IPAddress", "Gateway", "MacAddress", "IPPrefixLen"} {
				settings[k] = doc[k]
			}
		}
	}
	switch c.net.kind {
	case netHost, netNone:
		nets[c.spec.Network] = map[string]any{"NetworkID": c.spec.Network, "IPAddress": "", "Gateway": "", "MacAddress": "", "Aliases": nil}
	}
	ports := map[string]any{}
	for _, m := range c.net.ports {
		key := fmt.Sprintf("%d/%s", m.ContainerPort, m.Proto)
		host := "0.0.0.0"
		if m.HostIP.IsValid() {
			host = m.HostIP.String()
		}
		port := m.HostPort
		for _, p := range c.net.proxies {
			if p.Mapping().ContainerPort == m.ContainerPort && p.Mapping().Proto == m.Proto {
				port = p.HostAddr().Port()
			}
		}
		list, _ := ports[key].([]any)
		ports[key] = append(list, map[string]any{"HostIp": host, "HostPort": strconv.Itoa(int(port))})
	}
	settings["Ports"] = ports
	return settings
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

// endpointID is a stable 64-hex id for a container's endpoint on a
// network, as Docker shows one.
func endpointID(networkID, containerID string) string {
	sum := sha256.Sum256([]byte(networkID + "/" + containerID))
	return hex.EncodeToString(sum[:])
}
