package ipam

import (
	"errors"
	"fmt"
	"net/netip"
	"testing"
)

func TestParseConfig(t *testing.T) {
	pick := func() (netip.Prefix, error) { return pfx("172.18.0.0/16"), nil }
	tests := []struct {
		name                     string
		subnet, gateway, ipRange string
		want                     Config
		wantErr                  string
		wantKind                 error
	}{
		{name: "picked subnet",
			want: Config{Subnet: pfx("172.18.0.0/16"), Gateway: addr("172.18.0.1")}},
		{name: "user subnet", subnet: "10.0.0.0/24",
			want: Config{Subnet: pfx("10.0.0.0/24"), Gateway: addr("10.0.0.1"), UserSubnet: true}},
		{name: "host bits normalised", subnet: "10.1.2.3/16",
			want: Config{Subnet: pfx("10.1.0.0/16"), Gateway: addr("10.1.0.1"), UserSubnet: true}},
		{name: "gateway and range", subnet: "10.0.0.0/16", gateway: "10.0.0.254", ipRange: "10.0.1.0/24",
			want: Config{Subnet: pfx("10.0.0.0/16"), IPRange: pfx("10.0.1.0/24"), Gateway: addr("10.0.0.254"), UserSubnet: true}},
		{name: "range host bits normalised", subnet: "10.0.0.0/16", ipRange: "10.0.1.7/24",
			want: Config{Subnet: pfx("10.0.0.0/16"), IPRange: pfx("10.0.1.0/24"), Gateway: addr("10.0.0.1"), UserSubnet: true}},
		{name: "range equal to subnet", subnet: "10.0.0.0/24", ipRange: "10.0.0.0/24",
			want: Config{Subnet: pfx("10.0.0.0/24"), IPRange: pfx("10.0.0.0/24"), Gateway: addr("10.0.0.1"), UserSubnet: true}},
		{name: "next to link-local", subnet: "169.253.0.0/16",
			want: Config{Subnet: pfx("169.253.0.0/16"), Gateway: addr("169.253.0.1"), UserSubnet: true}},
		{name: "next to multicast", subnet: "223.255.255.0/24",
			want: Config{Subnet: pfx("223.255.255.0/24"), Gateway: addr("223.255.255.1"), UserSubnet: true}},
		{name: "smallest subnet", subnet: "10.0.0.0/30",
			want: Config{Subnet: pfx("10.0.0.0/30"), Gateway: addr("10.0.0.1"), UserSubnet: true}},

		{name: "prefix too long", subnet: "10.0.0.0/33",
			wantErr: "invalid CIDR address: 10.0.0.0/33", wantKind: ErrInvalid},
		{name: "no prefix length", subnet: "10.0.0.0",
			wantErr: "invalid CIDR address: 10.0.0.0", wantKind: ErrInvalid},
		{name: "garbage subnet", subnet: "mynet",
			wantErr: "invalid CIDR address: mynet", wantKind: ErrInvalid},
		{name: "IPv6 subnet", subnet: "fd00::/64",
			wantErr: "invalid subnet fd00::/64: only IPv4 subnets are supported", wantKind: ErrInvalid},
		{name: "subnet too small", subnet: "10.0.0.0/31",
			wantErr: "invalid subnet 10.0.0.0/31: too small, the prefix length must be at most /30", wantKind: ErrInvalid},
		{name: "gateway outside", subnet: "10.1.0.0/24", gateway: "10.0.0.1",
			wantErr: "no matching subnet for gateway 10.0.0.1", wantKind: ErrInvalid},
		{name: "gateway IPv6", subnet: "10.1.0.0/24", gateway: "fd00::1",
			wantErr: "no matching subnet for gateway fd00::1", wantKind: ErrInvalid},
		{name: "gateway garbage", subnet: "10.1.0.0/24", gateway: "10.1.0.300",
			wantErr: "invalid gateway IP address: 10.1.0.300 (want an IPv4 address such as 172.18.0.1)", wantKind: ErrInvalid},
		{name: "gateway is network address", subnet: "10.1.0.0/24", gateway: "10.1.0.0",
			wantErr: "invalid gateway 10.1.0.0: it is the network address of subnet 10.1.0.0/24", wantKind: ErrInvalid},
		{name: "gateway is broadcast", subnet: "10.1.0.0/24", gateway: "10.1.0.255",
			wantErr: "invalid gateway 10.1.0.255: it is the broadcast address of subnet 10.1.0.0/24", wantKind: ErrInvalid},
		{name: "range outside", subnet: "10.0.0.0/16", ipRange: "10.9.0.0/24",
			wantErr: "no matching subnet for range 10.9.0.0/24", wantKind: ErrInvalid},
		{name: "range wider than subnet", subnet: "10.0.0.0/24", ipRange: "10.0.0.0/16",
			wantErr: "no matching subnet for range 10.0.0.0/16", wantKind: ErrInvalid},
		{name: "range garbage", subnet: "10.0.0.0/24", ipRange: "10.0.0.0/40",
			wantErr: "invalid CIDR address: 10.0.0.0/40", wantKind: ErrInvalid},
		{name: "link-local (cloud metadata)", subnet: "169.254.0.0/16",
			wantErr: "subnet 169.254.0.0/16 overlaps 169.254.0.0/16, the link-local range, where the cloud metadata service answers at 169.254.169.254: choose another subnet", wantKind: ErrShadowsHost},
		{name: "inside link-local", subnet: "169.254.169.0/24",
			wantErr: "subnet 169.254.169.0/24 overlaps 169.254.0.0/16, the link-local range, where the cloud metadata service answers at 169.254.169.254: choose another subnet", wantKind: ErrShadowsHost},
		{name: "covering link-local", subnet: "169.0.0.0/8",
			wantErr: "subnet 169.0.0.0/8 overlaps 169.254.0.0/16, the link-local range, where the cloud metadata service answers at 169.254.169.254: choose another subnet", wantKind: ErrShadowsHost},
		{name: "loopback", subnet: "127.5.0.0/16",
			wantErr: "subnet 127.5.0.0/16 overlaps 127.0.0.0/8, the loopback range: choose another subnet", wantKind: ErrShadowsHost},
		{name: "this network", subnet: "0.0.0.0/16",
			wantErr: `subnet 0.0.0.0/16 overlaps 0.0.0.0/8, "this network" (0.0.0.0/8), which is never a destination: choose another subnet`, wantKind: ErrShadowsHost},
		{name: "multicast", subnet: "239.1.0.0/16",
			wantErr: "subnet 239.1.0.0/16 overlaps 224.0.0.0/4, the multicast range: choose another subnet", wantKind: ErrShadowsHost},
		{name: "reserved", subnet: "250.0.0.0/24",
			wantErr: "subnet 250.0.0.0/24 overlaps 240.0.0.0/4, the reserved range 240.0.0.0/4 (with the broadcast address 255.255.255.255): choose another subnet", wantKind: ErrShadowsHost},
		{name: "limited broadcast", subnet: "255.255.255.252/30",
			wantErr: "subnet 255.255.255.252/30 overlaps 240.0.0.0/4, the reserved range 240.0.0.0/4 (with the broadcast address 255.255.255.255): choose another subnet", wantKind: ErrShadowsHost},
		{name: "everything", subnet: "0.0.0.0/0",
			wantErr: `subnet 0.0.0.0/0 overlaps 0.0.0.0/8, "this network" (0.0.0.0/8), which is never a destination: choose another subnet`, wantKind: ErrShadowsHost},
		{name: "gateway without subnet", gateway: "10.0.0.1",
			wantErr: "every ip-range or gateway must have a corresponding subnet: gateway 10.0.0.1 given without a subnet", wantKind: ErrInvalid},
		{name: "range without subnet", ipRange: "10.0.0.0/24",
			wantErr: "every ip-range or gateway must have a corresponding subnet: ip_range 10.0.0.0/24 given without a subnet", wantKind: ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseConfig(tt.subnet, tt.gateway, tt.ipRange, pick)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				if !errors.Is(err, tt.wantKind) {
					t.Fatalf("error %v does not wrap %v", err, tt.wantKind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("ParseConfig = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseConfigPick(t *testing.T) {
	noPool := func() (netip.Prefix, error) { return PickSubnet(nil, nil) }
	_, err := ParseConfig("", "", "", noPool)
	if !errors.Is(err, ErrNoPool) || err.Error() != "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network" {
		t.Errorf("pick failure: error = %v, want the unchanged no-pool error", err)
	}

	called := false
	user := func() (netip.Prefix, error) { called = true; return netip.Prefix{}, fmt.Errorf("must not be called") }
	if _, err := ParseConfig("10.0.0.0/24", "", "", user); err != nil || called {
		t.Errorf("user subnet: err = %v, pick called = %v; want no error and no pick", err, called)
	}

	badPick := func() (netip.Prefix, error) { return pfx("10.0.0.0/31"), nil }
	if _, err := ParseConfig("", "", "", badPick); !errors.Is(err, ErrInvalid) {
		t.Errorf("picked /31: error = %v, want ErrInvalid", err)
	}

	if _, err := ParseConfig("", "", "", nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("nil pick: error = %v, want ErrInvalid", err)
	}
}

func mustConfig(t testing.TB, subnet, gateway, ipRange string) Config {
	t.Helper()
	c, err := ParseConfig(subnet, gateway, ipRange, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestAllocateSequence runs allocations and releases against one network
// and checks each address handed out.
func TestAllocateSequence(t *testing.T) {
	type step struct {
		release string // "" = allocate; otherwise free this address
		want    string // expected address, or "exhausted"
	}
	tests := []struct {
		name                     string
		subnet, gateway, ipRange string
		steps                    []step
	}{
		{name: "lowest from .2", subnet: "172.18.0.0/16",
			steps: []step{{want: "172.18.0.2"}, {want: "172.18.0.3"}, {want: "172.18.0.4"}}},
		{name: "lowest free after a release", subnet: "172.18.0.0/16",
			steps: []step{{want: "172.18.0.2"}, {want: "172.18.0.3"}, {want: "172.18.0.4"},
				{release: "172.18.0.3"}, {want: "172.18.0.3"}, {want: "172.18.0.5"},
				{release: "172.18.0.2"}, {release: "172.18.0.4"}, {want: "172.18.0.2"}, {want: "172.18.0.4"}}},
		{name: "crosses a byte boundary", subnet: "10.0.0.0/23", ipRange: "10.0.0.254/31",
			steps: []step{{want: "10.0.0.254"}, {want: "10.0.0.255"}, {want: "exhausted"}}},
		{name: "gateway elsewhere frees .1", subnet: "10.0.0.0/24", gateway: "10.0.0.2",
			steps: []step{{want: "10.0.0.1"}, {want: "10.0.0.3"}}},
		{name: "ip_range respected", subnet: "10.0.0.0/24", ipRange: "10.0.0.128/25",
			steps: []step{{want: "10.0.0.128"}, {want: "10.0.0.129"}}},
		{name: "ip_range at subnet start skips network and gateway", subnet: "10.0.0.0/16", ipRange: "10.0.0.0/24",
			steps: []step{{want: "10.0.0.2"}}},
		{name: "ip_range end skips subnet broadcast", subnet: "10.0.0.0/24", ipRange: "10.0.0.252/30",
			steps: []step{{want: "10.0.0.252"}, {want: "10.0.0.253"}, {want: "10.0.0.254"}, {want: "exhausted"}}},
		{name: "single-address range that is the gateway", subnet: "10.0.0.0/24", ipRange: "10.0.0.1/32",
			steps: []step{{want: "exhausted"}}},
		{name: "/30 has one address", subnet: "10.0.0.0/30",
			steps: []step{{want: "10.0.0.2"}, {want: "exhausted"}, {release: "10.0.0.2"}, {want: "10.0.0.2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustConfig(t, tt.subnet, tt.gateway, tt.ipRange)
			u := used{}
			for i, s := range tt.steps {
				if s.release != "" {
					delete(u, addr(s.release))
					continue
				}
				got, err := c.Allocate(u.inUse)
				if s.want == "exhausted" {
					if err == nil || err.Error() != "no available IPv4 addresses on this network's address pools" || !errors.Is(err, ErrExhausted) {
						t.Fatalf("step %d: Allocate = %v, %v; want ErrExhausted", i, got, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if got != addr(s.want) {
					t.Fatalf("step %d: Allocate = %s, want %s", i, got, s.want)
				}
				u[got] = true
			}
		})
	}
}

func TestAllocateZeroConfig(t *testing.T) {
	if _, err := (Config{}).Allocate(used{}.inUse); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Allocate on a zero Config: error = %v, want ErrInvalid", err)
	}
}

func TestReserve(t *testing.T) {
	user := mustConfig(t, "10.0.0.0/16", "", "10.0.1.0/24")
	picked, err := ParseConfig("", "", "", func() (netip.Prefix, error) { return pfx("172.18.0.0/16"), nil })
	if err != nil {
		t.Fatal(err)
	}
	u := used{addr("10.0.0.7"): true}
	tests := []struct {
		name     string
		c        Config
		ip       netip.Addr
		wantErr  string
		wantKind error
	}{
		{name: "free address in range", c: user, ip: addr("10.0.1.5")},
		{name: "free address outside ip_range but in subnet", c: user, ip: addr("10.0.200.9")},
		{name: "IPv4-mapped form", c: user, ip: addr("::ffff:10.0.0.8")},
		{name: "picked subnet", c: picked, ip: addr("172.18.0.5"),
			wantErr:  "user specified IP address is supported only when connecting to networks with user configured subnets",
			wantKind: ErrInvalid},
		{name: "outside subnet", c: user, ip: addr("10.99.0.5"),
			wantErr: "Invalid address 10.99.0.5: It does not belong to any of this network's subnets", wantKind: ErrInvalid},
		{name: "IPv6", c: user, ip: addr("fd00::5"),
			wantErr: "Invalid address fd00::5: It does not belong to any of this network's subnets", wantKind: ErrInvalid},
		{name: "in use", c: user, ip: addr("10.0.0.7"), wantErr: "Address already in use", wantKind: ErrAddressInUse},
		{name: "gateway", c: user, ip: addr("10.0.0.1"), wantErr: "Address already in use", wantKind: ErrAddressInUse},
		{name: "network address", c: user, ip: addr("10.0.0.0"),
			wantErr: "invalid address 10.0.0.0: it is the network address of subnet 10.0.0.0/16", wantKind: ErrInvalid},
		{name: "broadcast address", c: user, ip: addr("10.0.255.255"),
			wantErr: "invalid address 10.0.255.255: it is the broadcast address of subnet 10.0.0.0/16", wantKind: ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Reserve(tt.ip, u.inUse)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Reserve(%s) = %v, want nil", tt.ip, err)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr || !errors.Is(err, tt.wantKind) {
				t.Fatalf("Reserve(%s) = %v, want %q wrapping %v", tt.ip, err, tt.wantErr, tt.wantKind)
			}
		})
	}
}

// BenchmarkAllocate measures the linear scan on a /16 whose first 1000 host
// addresses are taken, the worst case a busy scenario reaches.
func BenchmarkAllocate(b *testing.B) {
	c := mustConfig(b, "10.0.0.0/16", "", "")
	u := used{}
	for i := 0; i < 1000; i++ {
		ip, err := c.Allocate(u.inUse)
		if err != nil {
			b.Fatal(err)
		}
		u[ip] = true
	}
	for b.Loop() {
		if _, err := c.Allocate(u.inUse); err != nil {
			b.Fatal(err)
		}
	}
}
