package spec

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Protocols a PortMapping can publish.
const (
	ProtoTCP = "tcp"
	ProtoUDP = "udp"
)

// PortMapping is one published port (-p) in its parsed form: HostIP:HostPort
// on the host forwards to ContainerPort in the container. Every backend
// reads -p through ParsePortMapping, so the rule and its texts live here.
type PortMapping struct {
	// Proto is ProtoTCP or ProtoUDP.
	Proto string
	// HostIP is the address to listen on. The zero Addr means every host
	// address, shown as 0.0.0.0 the way Docker shows "-p 8080:80".
	HostIP netip.Addr
	// HostPort 0 asks for an ephemeral port, picked when the port is
	// published.
	HostPort uint16
	// ContainerPort is the port in the container.
	ContainerPort uint16
}

// String gives the mapping in Docker's form, "0.0.0.0:8080->80/tcp".
func (m PortMapping) String() string {
	host := "0.0.0.0"
	if m.HostIP.IsValid() {
		host = m.HostIP.String()
	}
	return net.JoinHostPort(host, strconv.Itoa(int(m.HostPort))) +
		"->" + strconv.Itoa(int(m.ContainerPort)) + "/" + m.Proto
}

// Key is the mapping's key in inspect's PortBindings and Ports: "80/tcp".
func (m PortMapping) Key() string {
	return strconv.Itoa(int(m.ContainerPort)) + "/" + m.Proto
}

// ParsePortMapping parses a -p value in the forms Docker accepts for a
// single port: "80", "8080:80", "8080:80/udp", "127.0.0.1:8080:80",
// "127.0.0.1::80" and "[::1]:8080:80", each with an optional "/tcp" or
// "/udp". A missing host port means an ephemeral one. The checks and their
// order follow Docker's nat.ParsePortSpec, so the first error reported is
// the one Docker would report. Port ranges and sctp are not supported.
// Errors wrap ErrInvalid.
func ParsePortMapping(s string) (PortMapping, error) {
	ip, hostPort, containerPort := portSpecFields(s)
	containerPort, proto, _ := strings.Cut(containerPort, "/")
	if containerPort == "" {
		return PortMapping{}, invalidf("no port specified: %s<empty>", s)
	}
	proto = strings.ToLower(proto)
	if proto == "" {
		proto = ProtoTCP
	}
	if err := CheckPortProto(proto); err != nil {
		return PortMapping{}, err
	}
	m := PortMapping{Proto: proto}
	if ip != "" {
		addr, err := portHostIP(ip)
		if err != nil {
			return PortMapping{}, err
		}
		m.HostIP = addr
	}
	cport, err := portNumber("containerPort", containerPort, 1)
	if err != nil {
		return PortMapping{}, err
	}
	m.ContainerPort = cport
	if hostPort != "" {
		hport, err := portNumber("hostPort", hostPort, 0)
		if err != nil {
			return PortMapping{}, err
		}
		m.HostPort = hport
	}
	return m, nil
}

// portSpecFields splits "ip:hostPort:containerPort" where ip may itself
// contain colons (IPv6), as Docker does: the last two fields are the ports.
func portSpecFields(s string) (ip, hostPort, containerPort string) {
	parts := strings.Split(s, ":")
	switch n := len(parts); n {
	case 1:
		return "", "", parts[0]
	case 2:
		return "", parts[0], parts[1]
	default:
		return strings.Join(parts[:n-2], ":"), parts[n-2], parts[n-1]
	}
}

// CheckPortProto is the rule for a published port's protocol: tcp or udp.
func CheckPortProto(proto string) error {
	switch proto {
	case ProtoTCP, ProtoUDP:
		return nil
	case "sctp":
		return invalidf("invalid proto: %s (berth publishes tcp and udp ports only)", proto)
	default:
		if proto == "" {
			return invalidf(`invalid proto: "" (want tcp or udp)`)
		}
		return invalidf("invalid proto: %s (want tcp or udp)", proto)
	}
}

func portHostIP(ip string) (netip.Addr, error) {
	raw := ip
	if strings.HasPrefix(raw, "[") && strings.HasSuffix(raw, "]") {
		raw = raw[1 : len(raw)-1]
	}
	addr, err := netip.ParseAddr(raw)
	if err != nil || addr.Zone() != "" {
		return netip.Addr{}, invalidf("invalid IP address: %s (want an IPv4 or IPv6 address of the host)", ip)
	}
	return addr, nil
}

// portNumber parses one port number no lower than min; field names it in
// the error the way Docker does ("containerPort", "hostPort").
func portNumber(field, s string, min uint64) (uint16, error) {
	if lo, hi, isRange := strings.Cut(s, "-"); isRange && portDigits(lo) && portDigits(hi) {
		return 0, invalidf("invalid %s: %s (port ranges are not supported, give a single port)", field, s)
	}
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n < min {
		return 0, invalidf("invalid %s: %s (want a port number %d-65535)", field, s, min)
	}
	return uint16(n), nil
}

func portDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
