package network

import (
	"errors"
	"maps"
	"net/netip"
	"os"
	"slices"
	"testing"

	"berth/runtime/spec"
)

// Records as a sandbox shows them; nothing is created on the host.
func fakeRecords() (bridge, user, auto Record) {
	bridge = Record{ID: randomHex(32), Name: "bridge", Driver: DriverBridge, Default: true,
		Subnet: netip.MustParsePrefix("172.30.0.0/24"), Gateway: netip.MustParseAddr("172.30.0.1")}
	user = Record{ID: randomHex(32), Name: "mynet", Driver: DriverBridge, UserSubnet: true,
		Subnet: netip.MustParsePrefix("10.9.0.0/24"), Gateway: netip.MustParseAddr("10.9.0.1")}
	auto = Record{ID: randomHex(32), Name: "auto", Driver: DriverBridge,
		Subnet: netip.MustParsePrefix("172.31.0.0/24"), Gateway: netip.MustParseAddr("172.31.0.1")}
	return bridge, user, auto
}

func fakeScope(t *testing.T) (*testScope, *Manager, *ContainerNet) {
	s := newScope()
	bridge, user, auto := fakeRecords()
	s.nets["bridge"], s.nets["mynet"], s.nets["auto"] = bridge, user, auto
	m := &Manager{} // unused until a container is set up
	return s, m, s.newContainer(t, m, "db", spec.Container{Hostname: "dbhost"})
}

// The mode, the names and the options resolve at create, with Docker's
// texts for what does not.
func TestNewContainerNet(t *testing.T) {
	s, m, _ := fakeScope(t)
	hostname, _ := os.Hostname()
	tests := []struct {
		name         string
		cs           spec.Container
		wantErr      string
		wantKind     error
		wantHostname string // "" = the short id
		wantJoined   bool   // sees db's /etc files
		wantNS       Namespace
		wantBindings int
	}{
		{name: "default bridge", cs: spec.Container{}},
		{name: "asked hostname", cs: spec.Container{Hostname: "h"}, wantHostname: "h"},
		{name: "host", cs: spec.Container{Network: "host", Ports: []string{"80"}}, wantHostname: hostname, wantNS: Namespace{Host: true}},
		{name: "none", cs: spec.Container{Network: "none"}},
		{name: "published ports", cs: spec.Container{Ports: []string{"80", "127.0.0.1:8080:81/udp"}}, wantBindings: 2},
		{name: "user subnet and ip", cs: spec.Container{Network: "mynet", IP: "10.9.0.9", Aliases: []string{"w"}}},
		{name: "no such network", cs: spec.Container{Network: "nosuch"}, wantErr: "network nosuch not found", wantKind: ErrNotFound},
		{name: "no such container to join", cs: spec.Container{Network: "container:nosuch"}, wantErr: "No such container: nosuch", wantKind: errNoSuchContainer},
		{name: "no such link", cs: spec.Container{Links: []string{"nosuch:x"}}, wantErr: "could not get container for nosuch: No such container: nosuch", wantKind: errNoSuchContainer},
		{name: "bad port", cs: spec.Container{Ports: []string{"80/sctp"}}, wantErr: "invalid proto: sctp (berth publishes tcp and udp ports only)", wantKind: spec.ErrInvalid},
		{name: "ip without a user subnet", cs: spec.Container{Network: "auto", IP: "172.31.0.9"},
			wantErr: "user specified IP address is supported only when connecting to networks with user configured subnets: got ip 172.31.0.9 on network \"auto\", created without subnet", wantKind: spec.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := m.NewContainerNet(s, ContainerConfig{ID: randomHex(32), Name: "c", Dir: t.TempDir(), Spec: tt.cs})
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || !errors.Is(err, tt.wantKind) {
					t.Fatalf("NewContainerNet = %v, want %q wrapping %v", err, tt.wantErr, tt.wantKind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tt.wantHostname
			if want == "" {
				want = n.id[:12]
			}
			if n.Hostname() != want {
				t.Errorf("hostname %q, want %q", n.Hostname(), want)
			}
			if ns, err := n.Verify(); err != nil || ns != tt.wantNS {
				t.Errorf("Verify = %+v, %v; want %+v", ns, err, tt.wantNS)
			}
			if got := len(n.PortBindings()); got != tt.wantBindings {
				t.Errorf("%d port bindings, want %d", got, tt.wantBindings)
			}
		})
	}
}

// network="container:db": db's hostname and files, and db's namespace,
// which a start can join only while db runs.
func TestJoinedNamespaceResolves(t *testing.T) {
	s, m, db := fakeScope(t)
	j, err := m.NewContainerNet(s, ContainerConfig{ID: randomHex(32), Name: "j", Dir: t.TempDir(), Spec: spec.Container{Network: "container:db"}})
	if err != nil {
		t.Fatal(err)
	}
	if j.Hostname() != "dbhost" || j.EtcDir() != db.dir {
		t.Errorf("joined: hostname %q, files in %s; want db's (dbhost, %s)", j.Hostname(), j.EtcDir(), db.dir)
	}
	if _, err := j.Verify(); err == nil || err.Error() != "cannot join network of a non running container: "+db.id || !errors.Is(err, ErrNotRunning) {
		t.Errorf("Verify while db is not running = %v", err)
	}
}

// The /etc files a container gets at create: Docker's hosts header, and
// the host's resolv.conf without nameservers on the default bridge, the
// embedded DNS on a user network, the host's own files with
// network="host".
func TestWriteEtcFiles(t *testing.T) {
	s, m, _ := fakeScope(t)
	hostResolv, err := containerResolvConf()
	if err != nil {
		t.Fatal(err)
	}
	hostHosts, _ := os.ReadFile("/etc/hosts")
	hostResolvAll, _ := os.ReadFile("/etc/resolv.conf")
	tests := []struct {
		network       string
		hosts, resolv string
	}{
		{"", hostsHeader, hostResolv},
		{"mynet", hostsHeader, userResolvConf},
		{"host", string(hostHosts), string(hostResolvAll)},
	}
	for _, tt := range tests {
		t.Run("network="+tt.network, func(t *testing.T) {
			n := s.newContainer(t, m, "c", spec.Container{Network: tt.network})
			got := map[string]string{}
			for _, f := range []string{"hostname", "hosts", "resolv.conf"} {
				got[f] = readFile(t, n.dir, f)
			}
			want := map[string]string{"hostname": n.Hostname() + "\n", "hosts": tt.hosts, "resolv.conf": tt.resolv}
			if !maps.Equal(got, want) {
				t.Errorf("files %q, want %q", got, want)
			}
		})
	}
}

// network.connect's rules, with Docker's texts, checked before anything
// changes: a refused connect leaves the container's networks as they were.
func TestConnectRules(t *testing.T) {
	s, m, db := fakeScope(t)
	hostMode := s.newContainer(t, m, "h", spec.Container{Network: "host"})
	onUser := s.newContainer(t, m, "u", spec.Container{Network: "mynet"})
	bridge, user, auto := s.nets["bridge"], s.nets["mynet"], s.nets["auto"]
	tests := []struct {
		name       string
		n          *ContainerNet
		net        Record
		predefined bool
		opts       EndpointOptions
		want       string
		wantKind   error
	}{
		{"sharing the host's namespace", hostMode, user, false, EndpointOptions{},
			"container sharing network namespace with another container or host cannot be connected to any other network: got container h (network \"host\") and network mynet", spec.ErrInvalid},
		{"to host", db, Record{Name: "host"}, true, EndpointOptions{},
			"container cannot be disconnected from host network or connected to host network: got network host", spec.ErrInvalid},
		{"twice", db, bridge, false, EndpointOptions{}, "endpoint with name db already exists in network bridge", ErrConnected},
		{"aliases on the default bridge", onUser, bridge, false, EndpointOptions{Aliases: []string{"w"}},
			"network-scoped aliases are only supported for user-defined networks: got aliases [\"w\"] on network \"bridge\"", spec.ErrInvalid},
		{"ip on the default bridge", onUser, bridge, false, EndpointOptions{IP: "172.30.0.9"},
			"user specified IP address is supported on user defined networks only: got ip 172.30.0.9 on network \"bridge\"", spec.ErrInvalid},
		{"ip without a user subnet", db, auto, false, EndpointOptions{IP: "172.31.0.9"},
			"user specified IP address is supported only when connecting to networks with user configured subnets: got ip 172.31.0.9 on network \"auto\", created without subnet", spec.ErrInvalid},
		{"not an address", db, user, false, EndpointOptions{IP: "10.9.0"}, "invalid IPv4 address: 10.9.0", spec.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.n.IPs()
			err := tt.n.Connect(tt.net, tt.predefined, tt.opts)
			if err == nil || err.Error() != tt.want || !errors.Is(err, tt.wantKind) {
				t.Fatalf("Connect = %v, want %q wrapping %v", err, tt.want, tt.wantKind)
			}
			if after := tt.n.IPs(); !maps.Equal(before, after) {
				t.Errorf("networks after a refused connect %v, before %v", after, before)
			}
		})
	}
	// Accepted on a stopped container: the address comes at start.
	if err := db.Connect(user, false, EndpointOptions{IP: "10.9.0.9", Aliases: []string{"d"}}); err != nil {
		t.Fatal(err)
	}
	if got, want := db.IPs(), map[string]string{"bridge": "", "mynet": ""}; !maps.Equal(got, want) {
		t.Errorf("IPs %v, want %v", got, want)
	}
	if err := db.Disconnect(user); err != nil {
		t.Fatal(err)
	}
	err := db.Disconnect(auto)
	if err == nil || err.Error() != "container "+db.id+" is not connected to network auto" || !errors.Is(err, ErrNotConnected) {
		t.Errorf("Disconnect from a network it is not on = %v", err)
	}
	if got := slices.Collect(maps.Keys(db.Inspect()["Networks"].(map[string]any))); !slices.Equal(got, []string{"bridge"}) {
		t.Errorf("inspect's networks %v, want only bridge", got)
	}
}
