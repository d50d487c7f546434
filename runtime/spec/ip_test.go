package spec

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckIP(t *testing.T) {
	user := IPNetwork{User: true, UserSubnet: true}
	tests := []struct {
		name string
		ip   string
		n    IPNetwork
		want string // "" = accepted
	}{
		{"no address asked", "", IPNetwork{}, ""},
		{"on a user subnet", "10.1.0.5", user, ""},
		{"not an address", "10.1.0", user, "invalid IPv4 address: 10.1.0"},
		// Docker's CLI parses the address before the daemon sees the network.
		{"not an address, not a user network", "x", IPNetwork{}, "invalid IPv4 address: x"},
		{"on the default bridge", "172.17.0.9", IPNetwork{UserSubnet: true}, "user specified IP address is supported on user defined networks only"},
		{"not a user network, before the lookup", "172.17.0.9", IPNetwork{Unresolved: true}, "user specified IP address is supported on user defined networks only"},
		{"picked subnet", "172.19.0.9", IPNetwork{User: true}, "user specified IP address is supported only when connecting to networks with user configured subnets"},
		{"subnet unknown yet", "172.19.0.9", IPNetwork{User: true, Unresolved: true}, ""},
		// With the network's name, the texts name what was asked.
		{"named default bridge", "172.17.0.9", IPNetwork{Name: "bridge"}, `user specified IP address is supported on user defined networks only: got ip 172.17.0.9 on network "bridge"`},
		{"named picked subnet", "172.19.0.9", IPNetwork{Name: "n", User: true}, `user specified IP address is supported only when connecting to networks with user configured subnets: got ip 172.19.0.9 on network "n", created without subnet`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, err := CheckIP(tt.ip, tt.n)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckIP(%q, %+v) = %v, want accepted", tt.ip, tt.n, err)
				}
				if tt.ip != "" && addr.String() != tt.ip {
					t.Errorf("address = %s, want %s", addr, tt.ip)
				}
				return
			}
			if err == nil || err.Error() != tt.want || !errors.Is(err, ErrInvalid) {
				t.Fatalf("CheckIP(%q, %+v) = %v, want %q wrapping ErrInvalid", tt.ip, tt.n, err, tt.want)
			}
		})
	}
}

func TestCheckEndpointAliases(t *testing.T) {
	tests := []struct {
		name    string
		n       IPNetwork
		aliases []string
		want    string // "" = accepted
	}{
		{"user network", IPNetwork{Name: "n", User: true}, []string{"web", "db.1"}, ""},
		{"default bridge", IPNetwork{Name: "bridge"}, []string{"web"}, `network-scoped aliases are only supported for user-defined networks: got aliases ["web"] on network "bridge"`},
		{"bad alias", IPNetwork{Name: "n", User: true}, []string{"a b"}, "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CheckEndpoint(tt.n, tt.aliases, "")
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("CheckEndpoint = %v, want accepted", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalid)):
				t.Fatalf("CheckEndpoint = %v, want %q wrapping ErrInvalid", err, tt.want)
			}
		})
	}
}
