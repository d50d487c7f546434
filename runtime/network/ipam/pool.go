package ipam

import (
	"cmp"
	"net/netip"
	"slices"
)

// SubnetBits is the size of every subnet berth picks: a /24 has room for
// 253 containers, and a pool of /24s serves many networks at once.
const SubnetBits = 24

// Pool is an address pool carved into subnets of Bits bits, as in Docker's
// daemon.json "default-address-pools": {"base": "172.17.0.0/16", "size": 24}.
type Pool struct {
	Base netip.Prefix
	Bits int
}

// DefaultBridgePools are where each scenario file's default bridge gets its
// subnet: the /24s of 172.17.0.0/16, Docker's docker0 pool, so a file run
// alone gets 172.17.0.0/24; then, when a running docker0 or 256 other
// files hold all of them, the user pools.
func DefaultBridgePools() []Pool {
	return append([]Pool{{netip.MustParsePrefix("172.17.0.0/16"), SubnetBits}}, UserPools()...)
}

// UserPools are where a user network created without a subnet gets one:
// the /24s of Docker's other default pools, 172.18.0.0/16 … 172.31.0.0/16
// and 192.168.0.0/16, in that order. 172.17.0.0/16 is left to the default
// bridges.
func UserPools() []Pool {
	pools := make([]Pool, 0, 15)
	for b := byte(18); b <= 31; b++ {
		pools = append(pools, Pool{netip.PrefixFrom(netip.AddrFrom4([4]byte{172, b, 0, 0}), 16), SubnetBits})
	}
	return append(pools, Pool{netip.MustParsePrefix("192.168.0.0/16"), SubnetBits})
}

// PickSubnet returns the first subnet of pools, in order, that overlaps
// none of taken. taken should hold the subnets of the root's networks and
// the host's addresses and routes (HostPrefixes), so that a new bridge
// never shadows a route the host already uses, nor another root's bridge.
func PickSubnet(pools []Pool, taken []netip.Prefix) (netip.Prefix, error) {
	used := union(taken)
	for _, p := range pools {
		if sub, ok := p.firstFree(used); ok {
			return sub, nil
		}
	}
	return netip.Prefix{}, errorf(ErrNoPool,
		"could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network")
}

// span is an inclusive range of IPv4 addresses, as integers.
type span struct{ first, last uint64 }

// union sorts the IPv4 prefixes of taken and merges those that overlap or
// touch, so a pool is walked once, in address order.
func union(taken []netip.Prefix) []span {
	var spans []span
	for _, t := range taken {
		if t.IsValid() && t.Addr().Is4() {
			f, l := bounds(t)
			spans = append(spans, span{uint64(f), uint64(l)})
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.first, b.first) })
	var out []span
	for _, s := range spans {
		if n := len(out); n > 0 && s.first <= out[n-1].last+1 {
			out[n-1].last = max(out[n-1].last, s.last)
			continue
		}
		out = append(out, s)
	}
	return out
}

// firstFree returns the pool's first subnet, in address order, that no
// span of used touches.
func (p Pool) firstFree(used []span) (netip.Prefix, bool) {
	if !p.Base.Addr().Is4() || p.Bits < p.Base.Bits() || p.Bits > maxPrefixBits {
		return netip.Prefix{}, false
	}
	first, last := bounds(p.Base)
	step := uint64(1) << (32 - p.Bits)
	j := 0
	for u := uint64(first); u <= uint64(last); {
		for j < len(used) && used[j].last < u {
			j++
		}
		if j == len(used) || used[j].first > u+step-1 {
			return netip.PrefixFrom(fromUint(uint32(u)), p.Bits), true
		}
		u = (used[j].last + step) &^ (step - 1) // the first subnet after the span
	}
	return netip.Prefix{}, false
}
