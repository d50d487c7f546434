package ipam

import (
	"errors"
	"net/netip"
	"testing"
)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr  { return netip.MustParseAddr(s) }

// used is an in-memory stand-in for the engine's record of taken addresses.
type used map[netip.Addr]bool

func (u used) inUse(ip netip.Addr) bool { return u[ip] }

func TestPools(t *testing.T) {
	user := UserPools()
	if len(user) != 15 {
		t.Fatalf("len(UserPools()) = %d, want 15", len(user))
	}
	wantUser := map[int]Pool{
		0:  {pfx("172.18.0.0/16"), 24},
		1:  {pfx("172.19.0.0/16"), 24},
		13: {pfx("172.31.0.0/16"), 24},
		14: {pfx("192.168.0.0/16"), 24},
	}
	for i, want := range wantUser {
		if user[i] != want {
			t.Errorf("UserPools()[%d] = %v, want %v", i, user[i], want)
		}
	}
	def := DefaultBridgePools()
	if len(def) != 16 || def[0] != (Pool{pfx("172.17.0.0/16"), 24}) || def[1] != user[0] {
		t.Errorf("DefaultBridgePools() = %v, want 172.17.0.0/16 by /24, then the user pools", def)
	}
	for i := 1; i < len(def); i++ {
		if Overlaps(def[i-1].Base, def[i].Base) {
			t.Errorf("pools %v and %v overlap", def[i-1], def[i])
		}
	}
	for _, p := range def {
		if err := checkSpecial(p.Base); err != nil {
			t.Errorf("pool %v: %v", p, err)
		}
	}
}

// twentyFour lists the first n /24s of base.
func twentyFour(base string, n int) []netip.Prefix {
	b := addr(base).As4()
	out := make([]netip.Prefix, n)
	for i := range out {
		out[i] = netip.PrefixFrom(netip.AddrFrom4([4]byte{b[0], b[1] + byte(i/256), byte(i % 256), 0}), 24)
	}
	return out
}

func TestPickSubnet(t *testing.T) {
	tests := []struct {
		name  string
		pools []Pool
		taken []netip.Prefix
		want  string
	}{
		{"default bridge, nothing taken", DefaultBridgePools(), nil, "172.17.0.0/24"},
		{"user network, nothing taken", UserPools(), nil, "172.18.0.0/24"},
		{"next default bridge", DefaultBridgePools(), twentyFour("172.17.0.0", 1), "172.17.1.0/24"},
		{"a hole is reused", DefaultBridgePools(), []netip.Prefix{pfx("172.17.0.0/24"), pfx("172.17.2.0/24")}, "172.17.1.0/24"},
		{"bridge address with host bits", DefaultBridgePools(), []netip.Prefix{pfx("172.17.0.1/24")}, "172.17.1.0/24"},
		{"running docker0 (/16)", DefaultBridgePools(), []netip.Prefix{pfx("172.17.0.1/16"), pfx("172.17.0.0/16")}, "172.18.0.0/24"},
		{"all 256 default /24s", DefaultBridgePools(), twentyFour("172.17.0.0", 256), "172.18.0.0/24"},
		{"a /32 inside", UserPools(), []netip.Prefix{pfx("172.18.0.77/32")}, "172.18.1.0/24"},
		{"wider than the pool", UserPools(), []netip.Prefix{pfx("172.16.0.0/12")}, "192.168.0.0/24"},
		{"unrelated host addresses", UserPools(), []netip.Prefix{pfx("10.0.2.15/24"), pfx("127.0.0.1/8")}, "172.18.0.0/24"},
		{"172 taken and a home LAN", UserPools(), []netip.Prefix{pfx("172.16.0.0/12"), pfx("192.168.0.0/24"), pfx("192.168.1.0/24")}, "192.168.2.0/24"},
		{"a /20 inside a pool is stepped over", UserPools(), []netip.Prefix{pfx("172.18.0.0/20")}, "172.18.16.0/24"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PickSubnet(tt.pools, tt.taken)
			if err != nil {
				t.Fatal(err)
			}
			if got != pfx(tt.want) {
				t.Fatalf("PickSubnet = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestPickSubnetMany: the pools hold thousands of networks, each picked
// one after the other, all distinct: 64 files with a default bridge and
// two user networks each need 64 + 128.
func TestPickSubnetMany(t *testing.T) {
	var taken []netip.Prefix
	for i := range 3840 {
		sub, err := PickSubnet(UserPools(), taken)
		if err != nil {
			t.Fatalf("network %d: %v", i, err)
		}
		if sub.Bits() != 24 || overlapsAny(sub, taken) {
			t.Fatalf("network %d: %s overlaps a taken subnet or is not a /24", i, sub)
		}
		taken = append(taken, sub)
	}
	if taken[3839] != pfx("192.168.255.0/24") {
		t.Errorf("last subnet = %s, want 192.168.255.0/24", taken[3839])
	}
	if _, err := PickSubnet(UserPools(), taken); !errors.Is(err, ErrNoPool) {
		t.Errorf("after 3840 networks: %v, want ErrNoPool", err)
	}
}

func TestPickSubnetNoneFree(t *testing.T) {
	for _, taken := range [][]netip.Prefix{
		{pfx("172.16.0.0/12"), pfx("192.168.0.0/16")},
		{pfx("128.0.0.0/1")},
	} {
		_, err := PickSubnet(DefaultBridgePools(), taken)
		const want = "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network"
		if err == nil || err.Error() != want {
			t.Fatalf("PickSubnet(%v) error = %v, want %q", taken, err, want)
		}
		if !errors.Is(err, ErrNoPool) {
			t.Fatalf("error %v is not ErrNoPool", err)
		}
	}
}

func overlapsAny(sub netip.Prefix, taken []netip.Prefix) bool {
	for _, t := range taken {
		if sub.Overlaps(t) {
			return true
		}
	}
	return false
}

func TestOverlaps(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"10.0.0.0/16", "10.0.5.0/24", true},
		{"10.0.5.0/24", "10.0.0.0/16", true},
		{"10.0.0.0/24", "10.0.1.0/24", false},
		{"10.0.0.1/24", "10.0.0.200/32", true},
		{"172.17.0.0/16", "172.18.0.0/16", false},
		{"10.0.0.0/8", "fd00::/8", false},
	}
	for _, tt := range tests {
		if got := Overlaps(pfx(tt.a), pfx(tt.b)); got != tt.want {
			t.Errorf("Overlaps(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestCheckNoOverlap(t *testing.T) {
	existing := []netip.Prefix{pfx("172.18.0.0/16"), pfx("10.1.0.0/24")}
	tests := []struct {
		subnet  string
		wantErr bool
	}{
		{"10.1.0.0/16", true},
		{"10.1.0.128/25", true},
		{"172.18.3.0/24", true},
		{"10.2.0.0/16", false},
		{"172.19.0.0/16", false},
	}
	for _, tt := range tests {
		err := CheckNoOverlap(pfx(tt.subnet), existing)
		if !tt.wantErr {
			if err != nil {
				t.Errorf("CheckNoOverlap(%s) = %v, want nil", tt.subnet, err)
			}
			continue
		}
		if err == nil || err.Error() != "Pool overlaps with other one on this address space" || !errors.Is(err, ErrOverlap) {
			t.Errorf("CheckNoOverlap(%s) = %v, want the ErrOverlap pool text", tt.subnet, err)
		}
	}
}

func TestMAC(t *testing.T) {
	tests := []struct {
		ip   string
		want string
	}{
		{"172.18.0.2", "02:42:ac:12:00:02"},
		{"172.17.0.1", "02:42:ac:11:00:01"},
		{"10.255.1.254", "02:42:0a:ff:01:fe"},
		{"::ffff:192.168.0.3", "02:42:c0:a8:00:03"},
	}
	for _, tt := range tests {
		if got := MAC(addr(tt.ip)).String(); got != tt.want {
			t.Errorf("MAC(%s) = %s, want %s", tt.ip, got, tt.want)
		}
	}
	if got := MAC(addr("fd00::1")); got != nil {
		t.Errorf("MAC(fd00::1) = %s, want nil", got)
	}
	if got := MAC(netip.Addr{}); got != nil {
		t.Errorf("MAC(zero) = %s, want nil", got)
	}
}
