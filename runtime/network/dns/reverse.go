package dns

import (
	"net/netip"
	"strconv"
	"strings"
)

// reverseAddr parses a PTR query name ("4.3.2.1.in-addr.arpa." or the 32
// nibbles of an ip6.arpa name) into the address it asks about. ok is false
// for anything else, including partial names such as "2.1.in-addr.arpa.".
func reverseAddr(name string) (addr netip.Addr, ok bool) {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	if rest, found := strings.CutSuffix(name, ".in-addr.arpa"); found {
		return reverseIPv4(rest)
	}
	if rest, found := strings.CutSuffix(name, ".ip6.arpa"); found {
		return reverseIPv6(rest)
	}
	return netip.Addr{}, false
}

func reverseIPv4(labels string) (netip.Addr, bool) {
	parts := strings.Split(labels, ".")
	if len(parts) != 4 {
		return netip.Addr{}, false
	}
	var b [4]byte
	for i, p := range parts {
		if len(p) > 1 && p[0] == '0' { // leading zeros: ParseUint allows them, PTR names never have them
			return netip.Addr{}, false
		}
		v, err := strconv.ParseUint(p, 10, 8)
		if err != nil {
			return netip.Addr{}, false
		}
		b[3-i] = byte(v)
	}
	return netip.AddrFrom4(b), true
}

func reverseIPv6(labels string) (netip.Addr, bool) {
	parts := strings.Split(labels, ".")
	if len(parts) != 32 {
		return netip.Addr{}, false
	}
	var b [16]byte
	for i, p := range parts {
		if len(p) != 1 {
			return netip.Addr{}, false
		}
		v, err := strconv.ParseUint(p, 16, 4)
		if err != nil {
			return netip.Addr{}, false
		}
		// Label i is nibble 31-i, counting from the address's first nibble.
		n := 31 - i
		if n%2 == 0 {
			b[n/2] |= byte(v) << 4
		} else {
			b[n/2] |= byte(v)
		}
	}
	return netip.AddrFrom16(b), true
}
