package dns

import (
	"net/netip"
	"testing"
)

func TestReverseAddr(t *testing.T) {
	tests := []struct {
		name string
		want string // "" means not a reverse name of a whole address
	}{
		{"2.0.18.172.in-addr.arpa.", "172.18.0.2"},
		{"2.0.18.172.IN-ADDR.ARPA", "172.18.0.2"},
		{"255.255.255.255.in-addr.arpa.", "255.255.255.255"},
		{"0.0.0.0.in-addr.arpa.", "0.0.0.0"},
		{"0.18.172.in-addr.arpa.", ""},
		{"1.2.0.18.172.in-addr.arpa.", ""},
		{"256.0.18.172.in-addr.arpa.", ""},
		{"02.0.18.172.in-addr.arpa.", ""},
		{"-1.0.18.172.in-addr.arpa.", ""},
		{"+1.0.18.172.in-addr.arpa.", ""},
		{"x.0.18.172.in-addr.arpa.", ""},
		{"..18.172.in-addr.arpa.", ""},
		{"2.0.18.172.example.", ""},
		{"web.", ""},
		{"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "2001:db8::1"},
		{"F.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.IP6.ARPA.", "2001:db8::f"},
		{"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.ip6.arpa.", ""},
		{"10.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", ""},
		{"g.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", ""},
	}
	for _, tt := range tests {
		got, ok := reverseAddr(tt.name)
		if tt.want == "" {
			if ok {
				t.Errorf("reverseAddr(%q) = %v, want not ok", tt.name, got)
			}
			continue
		}
		if !ok || got != netip.MustParseAddr(tt.want) {
			t.Errorf("reverseAddr(%q) = %v, %v; want %s", tt.name, got, ok, tt.want)
		}
	}
}
