package spec

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// portMappingTests are Docker's -p forms and its errors, in its order.
var portMappingTests = []struct {
	spec    string
	want    PortMapping
	wantErr string
}{
	{spec: "8080:80", want: PortMapping{Proto: "tcp", HostPort: 8080, ContainerPort: 80}},
	{spec: "8080:80/udp", want: PortMapping{Proto: "udp", HostPort: 8080, ContainerPort: 80}},
	{spec: "8080:80/UDP", want: PortMapping{Proto: "udp", HostPort: 8080, ContainerPort: 80}},
	{spec: "8080:80/", want: PortMapping{Proto: "tcp", HostPort: 8080, ContainerPort: 80}},
	{spec: "127.0.0.1:8080:80", want: PortMapping{Proto: "tcp", HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: 8080, ContainerPort: 80}},
	{spec: "127.0.0.1:8080:80/tcp", want: PortMapping{Proto: "tcp", HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: 8080, ContainerPort: 80}},
	{spec: "127.0.0.1::53/udp", want: PortMapping{Proto: "udp", HostIP: netip.MustParseAddr("127.0.0.1"), ContainerPort: 53}},
	{spec: "0.0.0.0:8080:80", want: PortMapping{Proto: "tcp", HostIP: netip.IPv4Unspecified(), HostPort: 8080, ContainerPort: 80}},
	{spec: "80", want: PortMapping{Proto: "tcp", ContainerPort: 80}},
	{spec: "53/udp", want: PortMapping{Proto: "udp", ContainerPort: 53}},
	{spec: ":80", want: PortMapping{Proto: "tcp", ContainerPort: 80}},
	{spec: "0:80", want: PortMapping{Proto: "tcp", ContainerPort: 80}},
	{spec: "65535:65535", want: PortMapping{Proto: "tcp", HostPort: 65535, ContainerPort: 65535}},
	{spec: "[::1]:8080:80", want: PortMapping{Proto: "tcp", HostIP: netip.MustParseAddr("::1"), HostPort: 8080, ContainerPort: 80}},
	{spec: "::1:8080:80", want: PortMapping{Proto: "tcp", HostIP: netip.MustParseAddr("::1"), HostPort: 8080, ContainerPort: 80}},

	{spec: "", wantErr: "no port specified: <empty>"},
	{spec: "8080:", wantErr: "no port specified: 8080:<empty>"},
	{spec: "8080:/udp", wantErr: "no port specified: 8080:/udp<empty>"},
	{spec: "8080:80/sctpx", wantErr: "invalid proto: sctpx (want tcp or udp)"},
	{spec: "8080:80/sctp", wantErr: "invalid proto: sctp (berth publishes tcp and udp ports only)"},
	{spec: "1.2.3:8080:80", wantErr: "invalid IP address: 1.2.3 (want an IPv4 or IPv6 address of the host)"},
	{spec: "localhost:8080:80", wantErr: "invalid IP address: localhost (want an IPv4 or IPv6 address of the host)"},
	{spec: "[fe80::1%eth0]:8080:80", wantErr: "invalid IP address: [fe80::1%eth0] (want an IPv4 or IPv6 address of the host)"},
	{spec: "8080:abc", wantErr: "invalid containerPort: abc (want a port number 1-65535)"},
	{spec: "8080:0", wantErr: "invalid containerPort: 0 (want a port number 1-65535)"},
	{spec: "8080:65536", wantErr: "invalid containerPort: 65536 (want a port number 1-65535)"},
	{spec: "8080:-1", wantErr: "invalid containerPort: -1 (want a port number 1-65535)"},
	{spec: "8080-8081:80-81", wantErr: "invalid containerPort: 80-81 (port ranges are not supported, give a single port)"},
	{spec: "99999:80", wantErr: "invalid hostPort: 99999 (want a port number 0-65535)"},
	{spec: "http:80", wantErr: "invalid hostPort: http (want a port number 0-65535)"},
	{spec: "8080-8090:80", wantErr: "invalid hostPort: 8080-8090 (port ranges are not supported, give a single port)"},
	// Docker checks the proto before the ports, and the IP before them too.
	{spec: "bad:99999:abc/xyz", wantErr: "invalid proto: xyz (want tcp or udp)"},
	{spec: "bad:99999:abc", wantErr: "invalid IP address: bad (want an IPv4 or IPv6 address of the host)"},
	{spec: "99999:abc", wantErr: "invalid containerPort: abc (want a port number 1-65535)"},
}

func TestParsePortMapping(t *testing.T) {
	for _, tt := range portMappingTests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParsePortMapping(tt.spec)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ParsePortMapping(%q) = %+v, want error %q", tt.spec, got, tt.wantErr)
				}
				if err.Error() != tt.wantErr {
					t.Errorf("ParsePortMapping(%q) error = %q, want %q", tt.spec, err, tt.wantErr)
				}
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("ParsePortMapping(%q) error %v does not wrap ErrInvalid", tt.spec, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePortMapping(%q): %v", tt.spec, err)
			}
			if got != tt.want {
				t.Errorf("ParsePortMapping(%q) = %+v, want %+v", tt.spec, got, tt.want)
			}
		})
	}
}

func TestPortMappingStringAndKey(t *testing.T) {
	tests := []struct {
		m         PortMapping
		want, key string
	}{
		{PortMapping{Proto: "tcp", HostPort: 8080, ContainerPort: 80}, "0.0.0.0:8080->80/tcp", "80/tcp"},
		{PortMapping{Proto: "udp", HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: 5353, ContainerPort: 53}, "127.0.0.1:5353->53/udp", "53/udp"},
		{PortMapping{Proto: "tcp", HostIP: netip.MustParseAddr("::1"), HostPort: 8080, ContainerPort: 80}, "[::1]:8080->80/tcp", "80/tcp"},
		{PortMapping{Proto: "tcp", ContainerPort: 80}, "0.0.0.0:0->80/tcp", "80/tcp"},
	}
	for _, tt := range tests {
		if got := tt.m.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.m, got, tt.want)
		}
		if got := tt.m.Key(); got != tt.key {
			t.Errorf("%+v.Key() = %q, want %q", tt.m, got, tt.key)
		}
	}
}

// The parsed form prints back as the spec it came from.
func TestParsePortMappingRoundTrip(t *testing.T) {
	for _, s := range []string{"127.0.0.1:8080:80/tcp", "0.0.0.0:53:53/udp", "[::1]:8443:443/tcp"} {
		m, err := ParsePortMapping(s)
		if err != nil {
			t.Fatalf("ParsePortMapping(%q): %v", s, err)
		}
		back, err := ParsePortMapping(strings.Replace(m.String(), "->", ":", 1))
		if err != nil {
			t.Fatalf("ParsePortMapping(%q): %v", m.String(), err)
		}
		if back != m {
			t.Errorf("%q → %q → %+v, want %+v", s, m.String(), back, m)
		}
	}
}
