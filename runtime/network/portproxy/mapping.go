// Package portproxy is berth's userland proxy for published ports (`-p`),
// the in-process counterpart of docker-proxy: it listens on a host address
// and forwards TCP connections and UDP datagrams to a container's address.
// There is no NAT: every byte goes through the berth process.
package portproxy

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Protocols a Mapping can publish.
const (
	ProtoTCP = "tcp"
	ProtoUDP = "udp"
)

// ErrInvalidSpec marks a port mapping that cannot be parsed or started. The
// error texts follow Docker's wording; this sentinel is reachable with
// errors.Is.
var ErrInvalidSpec = errors.New("invalid port mapping")

// specError carries Docker's text while unwrapping to ErrInvalidSpec.
type specError struct{ msg string }

func (e *specError) Error() string { return e.msg }
func (e *specError) Unwrap() error { return ErrInvalidSpec }

func specErrorf(format string, args ...any) error {
	return &specError{msg: fmt.Sprintf(format, args...)}
}

// Mapping is one published port: HostIP:HostPort on the host forwards to
// ContainerPort in the container.
type Mapping struct {
	// Proto is ProtoTCP or ProtoUDP.
	Proto string
	// HostIP is the address to listen on. The zero Addr means every host
	// address (IPv4 and, where the host has it, IPv6), shown as 0.0.0.0 the
	// way Docker shows "-p 8080:80".
	HostIP netip.Addr
	// HostPort 0 asks for an ephemeral port, picked when the proxy starts.
	HostPort uint16
	// ContainerPort is the port in the container.
	ContainerPort uint16
}

// String gives the mapping in Docker's form, "0.0.0.0:8080->80/tcp".
func (m Mapping) String() string {
	host := "0.0.0.0"
	if m.HostIP.IsValid() {
		host = m.HostIP.String()
	}
	return net.JoinHostPort(host, strconv.Itoa(int(m.HostPort))) +
		"->" + strconv.Itoa(int(m.ContainerPort)) + "/" + m.Proto
}

// ParseMapping parses a `-p` value in the forms Docker accepts for a single
// port: "80", "8080:80", "8080:80/udp", "127.0.0.1:8080:80",
// "127.0.0.1::80" and "[::1]:8080:80", each with an optional "/tcp" or
// "/udp". A missing host port means an ephemeral one. The checks and their
// order follow Docker's nat.ParsePortSpec, so the first error reported is the
// one Docker would report. Port ranges and sctp are not supported.
func ParseMapping(spec string) (Mapping, error) {
	ip, hostPort, containerPort := splitSpec(spec)
	containerPort, proto, _ := strings.Cut(containerPort, "/")
	if containerPort == "" {
		return Mapping{}, specErrorf("no port specified: %s<empty>", spec)
	}
	proto = strings.ToLower(proto)
	if proto == "" {
		proto = ProtoTCP
	}
	if err := checkProto(proto); err != nil {
		return Mapping{}, err
	}

	var m Mapping
	m.Proto = proto
	if ip != "" {
		addr, err := parseHostIP(ip)
		if err != nil {
			return Mapping{}, err
		}
		m.HostIP = addr
	}

	cport, err := parsePort("containerPort", containerPort, 1)
	if err != nil {
		return Mapping{}, err
	}
	m.ContainerPort = cport
	if hostPort != "" {
		hport, err := parsePort("hostPort", hostPort, 0)
		if err != nil {
			return Mapping{}, err
		}
		m.HostPort = hport
	}
	return m, nil
}

// splitSpec splits "ip:hostPort:containerPort" where ip may itself contain
// colons (IPv6), as Docker does: the last two fields are the ports.
func splitSpec(spec string) (ip, hostPort, containerPort string) {
	parts := strings.Split(spec, ":")
	switch n := len(parts); n {
	case 1:
		return "", "", parts[0]
	case 2:
		return "", parts[0], parts[1]
	default:
		return strings.Join(parts[:n-2], ":"), parts[n-2], parts[n-1]
	}
}

func checkProto(proto string) error {
	switch proto {
	case ProtoTCP, ProtoUDP:
		return nil
	case "":
		return specErrorf(`invalid proto: "" (want tcp or udp)`)
	case "sctp":
		return specErrorf("invalid proto: %s (berth publishes tcp and udp ports only)", proto)
	default:
		return specErrorf("invalid proto: %s (want tcp or udp)", proto)
	}
}

func parseHostIP(ip string) (netip.Addr, error) {
	raw := ip
	if strings.HasPrefix(raw, "[") && strings.HasSuffix(raw, "]") {
		raw = raw[1 : len(raw)-1]
	}
	addr, err := netip.ParseAddr(raw)
	if err != nil || addr.Zone() != "" {
		return netip.Addr{}, specErrorf("invalid IP address: %s (want an IPv4 or IPv6 address of the host)", ip)
	}
	return addr, nil
}

// parsePort parses one port number no lower than min; field names it in the
// error the way Docker does ("containerPort", "hostPort").
func parsePort(field, s string, min uint64) (uint16, error) {
	if lo, hi, isRange := strings.Cut(s, "-"); isRange && isDigits(lo) && isDigits(hi) {
		return 0, specErrorf("invalid %s: %s (port ranges are not supported, give a single port)", field, s)
	}
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n < min {
		return 0, specErrorf("invalid %s: %s (want a port number %d-65535)", field, s, min)
	}
	return uint16(n), nil
}

func isDigits(s string) bool {
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
