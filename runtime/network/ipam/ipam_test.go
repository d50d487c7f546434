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

func TestDefaultPools(t *testing.T) {
	pools := DefaultPools()
	if len(pools) != 31 {
		t.Fatalf("len(DefaultPools()) = %d, want 31", len(pools))
	}
	checks := map[int]string{
		0:  "172.17.0.0/16",
		1:  "172.18.0.0/16",
		14: "172.31.0.0/16",
		15: "192.168.0.0/20",
		16: "192.168.16.0/20",
		30: "192.168.240.0/20",
	}
	for i, want := range checks {
		if pools[i] != pfx(want) {
			t.Errorf("DefaultPools()[%d] = %s, want %s", i, pools[i], want)
		}
	}
	for i := 1; i < len(pools); i++ {
		if Overlaps(pools[i-1], pools[i]) {
			t.Errorf("pools %s and %s overlap", pools[i-1], pools[i])
		}
	}
}

func TestPickSubnet(t *testing.T) {
	all172 := append([]netip.Prefix{}, DefaultPools()[:15]...)
	tests := []struct {
		name  string
		taken []netip.Prefix
		want  string
	}{
		{"nothing taken", nil, "172.17.0.0/16"},
		{"docker0 address", []netip.Prefix{pfx("172.17.0.1/16")}, "172.18.0.0/16"},
		{"docker0 route", []netip.Prefix{pfx("172.17.0.0/16")}, "172.18.0.0/16"},
		{"small subnet inside a pool", []netip.Prefix{pfx("172.17.5.0/24")}, "172.18.0.0/16"},
		{"unrelated host address", []netip.Prefix{pfx("10.0.2.15/24"), pfx("127.0.0.1/8")}, "172.17.0.0/16"},
		{"first two taken", []netip.Prefix{pfx("172.17.0.0/16"), pfx("172.18.0.0/16")}, "172.19.0.0/16"},
		{"all of 172.17-31 one by one", all172, "192.168.0.0/20"},
		{"one route covering 172.16/12", []netip.Prefix{pfx("172.16.0.0/12")}, "192.168.0.0/20"},
		{"172 taken and a home LAN", []netip.Prefix{pfx("172.16.0.0/12"), pfx("192.168.1.0/24")}, "192.168.16.0/20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PickSubnet(DefaultPools(), tt.taken)
			if err != nil {
				t.Fatal(err)
			}
			if got != pfx(tt.want) {
				t.Fatalf("PickSubnet = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestPickSubnetNoneFree(t *testing.T) {
	for _, taken := range [][]netip.Prefix{
		{pfx("172.16.0.0/12"), pfx("192.168.0.0/16")},
		{pfx("128.0.0.0/1")},
	} {
		_, err := PickSubnet(DefaultPools(), taken)
		const want = "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network"
		if err == nil || err.Error() != want {
			t.Fatalf("PickSubnet(%v) error = %v, want %q", taken, err, want)
		}
		if !errors.Is(err, ErrNoPool) {
			t.Fatalf("error %v is not ErrNoPool", err)
		}
	}
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
