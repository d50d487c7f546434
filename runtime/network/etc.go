package network

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The standard lines Docker writes at the top of every /etc/hosts.
const hostsHeader = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n"

// userResolvConf is what containers on user networks get: the embedded
// DNS server, with no search-domain expansion (Docker's ndots:0).
const userResolvConf = "nameserver 127.0.0.11\noptions ndots:0\n"

// WriteEtcFiles writes the hostname, hosts and resolv.conf files that are
// bind-mounted into the container, once its directory exists.
func (n *ContainerNet) WriteEtcFiles() error {
	hosts := hostsHeader
	resolv, err := containerResolvConf()
	if err != nil {
		return err
	}
	if n.onUserNetwork() {
		resolv = userResolvConf
	}
	if n.kind == netHost {
		if data, err := os.ReadFile("/etc/hosts"); err == nil {
			hosts = string(data)
		}
		if data, err := os.ReadFile("/etc/resolv.conf"); err == nil {
			resolv = string(data)
		}
	}
	files := map[string]string{
		"hostname":    n.hostname + "\n",
		"hosts":       hosts,
		"resolv.conf": resolv,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(n.dir, name), []byte(content), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}

// containerResolvConf is the host's resolv.conf without its nameservers.
// Docker drops the loopback ones, which would point at the container
// itself; berth drops the others too, because a container reaches them
// only through forwarding, which berth never enables. A lookup then fails
// at once (glibc falls back to a local server that is not there) instead
// of after a 10 s timeout, and no query leaves the container's namespace.
func containerResolvConf() (string, error) {
	data, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		if os.IsNotExist(err) {
			return "", nil
		}
		return "", fmt.Errorf("read host resolv.conf: %w", err)
	}
	var b strings.Builder
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 1 && f[0] == "nameserver" {
			continue
		}
		if line != "" {
			b.WriteString(line + "\n")
		}
	}
	return b.String(), nil
}

// useEmbeddedDNS points resolv.conf at the embedded DNS server, unless it
// does already.
func (n *ContainerNet) useEmbeddedDNS() error {
	resolv := n.resolvPath()
	if data, err := os.ReadFile(resolv); err == nil && string(data) != userResolvConf {
		return writeInPlace(resolv, userResolvConf)
	}
	return nil
}

// writeHosts writes /etc/hosts as Docker does: the standard lines, the
// links, then the container's own address and hostname. The file is
// rewritten in place: it is bind-mounted, and a new inode would not show.
func (n *ContainerNet) writeHosts() error {
	var b strings.Builder
	b.WriteString(hostsHeader)
	for _, l := range n.legacyLinks() {
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
	if ip := n.primaryIP(); ip.IsValid() {
		fmt.Fprintf(&b, "%s\t%s\n", ip, n.hostname)
	}
	return writeInPlace(n.hostsPath(), b.String())
}

func writeInPlace(path, content string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(content)
	return errors.Join(err, f.Close())
}
