package network

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"

	"golang.org/x/sys/unix"

	"berth/runtime/network/dns"
	"berth/runtime/network/portproxy"
)

// Setup wires a just-started container (its init waits before the user's
// program) whose network namespace is at nsPath: it connects it to its
// networks, starts its DNS server and its port proxies, and writes its
// /etc/hosts. On failure it undoes what it did.
func (n *ContainerNet) Setup(nsPath string) (retErr error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.nsPath = nsPath
	n.live.Store(&nsPath)
	if n.kind != netNetworks {
		return nil
	}
	defer func() {
		if retErr != nil {
			n.teardownLocked()
		}
	}()
	n.nextIf = 0
	n.nsIno = netnsIno(nsPath)
	for i, a := range n.nets {
		if err := n.connectLocked(a, nsPath, i == 0); err != nil {
			return err
		}
	}
	if err := n.ensureDNSLocked(nsPath); err != nil {
		return err
	}
	if ip := n.primaryIP(); ip.IsValid() {
		for _, m := range n.ports {
			p, err := portproxy.Start(m, netip.AddrPortFrom(ip, m.ContainerPort))
			if err != nil {
				return fmt.Errorf("driver failed programming external connectivity on endpoint %s: %w", n.name, err)
			}
			n.proxies = append(n.proxies, p)
		}
	}
	return n.writeHosts()
}

// connectLocked attaches a running container to one network.
func (n *ContainerNet) connectLocked(a *attachment, nsPath string, first bool) error {
	ep, err := n.m.Connect(a.net, ConnectRequest{
		ContainerID: n.id, ContainerName: n.name, Aliases: a.aliases, IP: a.ip,
		NSPath: nsPath, IfName: "eth" + strconv.Itoa(n.nextIf), DefaultRoute: first,
	})
	if err != nil {
		return err
	}
	n.nextIf++
	a.ep = &ep
	if a.isUser() {
		if err := n.scope.DNS().Join(a.net.Name, dns.Endpoint{
			ContainerID: n.id, Name: n.name, Aliases: a.aliases, Addr: ep.Addr, Links: n.linkAliases(),
		}); err != nil {
			return fmt.Errorf("connect %s to network %s: %w", n.name, a.net.Name, err)
		}
	}
	return nil
}

// ensureDNSLocked starts the embedded DNS server in the container's
// namespace once it is on a user network.
func (n *ContainerNet) ensureDNSLocked(nsPath string) error {
	if n.dns != nil || !slices.ContainsFunc(n.nets, func(a *attachment) bool { return a.isUser() && a.ep != nil }) {
		return nil
	}
	pc, l, err := dns.ListenInNetNS(nsPath)
	if err != nil {
		return fmt.Errorf("container %s: embedded DNS: %w", n.name, err)
	}
	srv := dns.NewServer(n.scope.DNS(), n.id)
	if err := srv.Serve(pc, l); err != nil {
		return fmt.Errorf("container %s: embedded DNS: %w", n.name, err)
	}
	n.dns = srv
	// A container that started on the default bridge and is connected
	// to a user network now resolves through the embedded DNS too, as in
	// Docker.
	return n.useEmbeddedDNS()
}

// Teardown releases what Setup set up: the proxies, the DNS server, the
// DNS entries and the addresses. The interfaces went with the namespace.
func (n *ContainerNet) Teardown() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.teardownLocked()
}

func (n *ContainerNet) teardownLocked() {
	n.live.Store(nil)
	n.nsPath = ""
	for _, p := range n.proxies {
		_ = p.Close()
	}
	n.proxies = nil
	if n.dns != nil {
		_ = n.dns.Close()
		n.dns = nil
	}
	n.scope.DNS().LeaveAll(n.id)
	// Containers that joined this one's namespace keep it alive after
	// this one's exit: take the interfaces out of it, as Docker tears the
	// network down, so the released addresses are nobody's.
	joined := ""
	for _, j := range n.joiners {
		if p := j.live.Load(); p != nil && n.nsIno != 0 && netnsIno(*p) == n.nsIno {
			joined = *p
			break
		}
	}
	for _, a := range n.nets {
		if a.ep != nil {
			_ = n.m.Disconnect(a.net, n.id, joined)
			a.ep = nil
		}
	}
}

// netnsIno is the inode of a network namespace, 0 if unknown.
func netnsIno(path string) uint64 {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0
	}
	return st.Ino
}

// primaryIP is the address on the first network, while running.
func (n *ContainerNet) primaryIP() netip.Addr {
	if len(n.nets) == 0 || n.nets[0].ep == nil {
		return netip.Addr{}
	}
	return n.nets[0].ep.Addr
}

// resolvPath and hostsPath are the container's files in its directory.
func (n *ContainerNet) resolvPath() string { return filepath.Join(n.dir, "resolv.conf") }
func (n *ContainerNet) hostsPath() string  { return filepath.Join(n.dir, "hosts") }
