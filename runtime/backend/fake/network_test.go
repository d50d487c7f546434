package fake_test

import (
	"maps"
	"slices"
	"testing"

	"berth/runtime/backend"
)

func TestAddressesAreGivenAtStartAndFreedAtExit(t *testing.T) {
	_, sb := setup(t)
	a := run(t, sb, busybox("a"))
	b := run(t, sb, busybox("b"))
	bridge, err := sb.Network(ctx, "bridge")
	if err != nil {
		t.Fatal(err)
	}
	if bridge.Gateway != "172.18.0.1" || a.IP() != "172.18.0.2" || b.IP() != "172.18.0.3" {
		t.Fatalf("gateway %s, a %s, b %s", bridge.Gateway, a.IP(), b.IP())
	}
	a.Exit(0)
	if a.IP() != "" || !maps.Equal(a.IPs(), map[string]string{"bridge": ""}) {
		t.Errorf("exited: IP %q, IPs %v", a.IP(), a.IPs())
	}
	c := run(t, sb, busybox("c")) // takes the address a freed
	if c.IP() != "172.18.0.2" {
		t.Errorf("c got %s", c.IP())
	}
	doc, err := sb.InspectNetwork(ctx, "bridge")
	if err != nil {
		t.Fatal(err)
	}
	eps := doc["Containers"].(map[string]any)
	if len(eps) != 2 || eps[b.ID()] == nil || eps[c.ID()] == nil {
		t.Errorf("endpoints of the bridge: %v", eps)
	}
	settings := mustInspect(t, c)["NetworkSettings"].(map[string]any)
	if settings["IPAddress"] != "172.18.0.2" || settings["MacAddress"] != "02:42:ac:12:00:02" {
		t.Errorf("NetworkSettings = %v", settings)
	}
}

func mustInspect(t *testing.T, c backend.Container) map[string]any {
	t.Helper()
	doc, err := c.Inspect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestUserNetworkAndFixedAddresses(t *testing.T) {
	_, sb := setup(t)
	if _, err := sb.CreateNetwork(ctx, "front", backend.NetworkOptions{Subnet: "10.9.0.0/24"}); err != nil {
		t.Fatal(err)
	}
	if _, err := sb.CreateNetwork(ctx, "auto", backend.NetworkOptions{}); err != nil {
		t.Fatal(err)
	}
	cs := busybox("web")
	cs.Network, cs.IP, cs.Aliases = "front", "10.9.0.50", []string{"www"}
	web := run(t, sb, cs)
	if web.IP() != "10.9.0.50" {
		t.Errorf("--ip: got %s", web.IP())
	}
	aliases := mustInspect(t, web)["NetworkSettings"].(map[string]any)["Networks"].(map[string]any)["front"].(map[string]any)["Aliases"]
	if !slices.Equal(aliases.([]any), []any{"www", web.ID()[:12]}) {
		t.Errorf("aliases = %v", aliases)
	}
	cs.Network, cs.Name = "auto", "xx"
	cs.Aliases = nil
	_, err := sb.Create(ctx, cs)
	wantError(t, "--ip without a subnet", err, "user specified IP address is supported only when connecting to networks with user configured subnets", backend.ErrInvalid)
	cs.Network = "nosuch"
	_, err = sb.Create(ctx, cs)
	wantError(t, "missing network", err, "network nosuch not found", backend.ErrNoSuchNetwork)
}

func TestConnectAndDisconnect(t *testing.T) {
	_, sb := setup(t)
	bridge, _ := sb.Network(ctx, "bridge") // the first subnet picked
	front, _ := sb.CreateNetwork(ctx, "front", backend.NetworkOptions{Subnet: "10.9.0.0/24"})
	auto, _ := sb.CreateNetwork(ctx, "auto", backend.NetworkOptions{})
	host, _ := sb.Network(ctx, "host")
	c := run(t, sb, busybox("app"))
	if err := c.ConnectNetwork(ctx, front, backend.EndpointOptions{Aliases: []string{"app"}, IP: "10.9.0.7"}); err != nil {
		t.Fatal(err)
	}
	if ips := c.IPs(); ips["front"] != "10.9.0.7" || ips["bridge"] != "172.18.0.2" {
		t.Errorf("IPs = %v", ips)
	}
	checks := []struct {
		what string
		err  error
		want string
		kind error
	}{
		{"twice", c.ConnectNetwork(ctx, front, backend.EndpointOptions{}), "endpoint with name " + c.Name() + " already exists in network front", backend.ErrConnected},
		{"host", c.ConnectNetwork(ctx, host, backend.EndpointOptions{}), "container cannot be disconnected from host network or connected to host network", backend.ErrInvalid},
		{"--ip without a subnet", c.ConnectNetwork(ctx, auto, backend.EndpointOptions{IP: "172.19.0.9"}), "user specified IP address is supported only when connecting to networks with user configured subnets", backend.ErrInvalid},
		{"bad ip", c.ConnectNetwork(ctx, auto, backend.EndpointOptions{IP: "x"}), "invalid IPv4 address: x", backend.ErrInvalid},
	}
	for _, ch := range checks {
		wantError(t, ch.what, ch.err, ch.want, ch.kind)
	}
	if err := c.DisconnectNetwork(ctx, bridge); err != nil {
		t.Fatal(err)
	}
	wantError(t, "disconnect twice", c.DisconnectNetwork(ctx, bridge), "container "+c.ID()+" is not connected to network bridge", backend.ErrNotConnected)
	wantError(t, "rm in use", sb.RemoveNetwork(ctx, "front"), "error while removing network: network front id "+front.ID+" has active endpoints", backend.ErrActiveEndpoints)
	c.Exit(0)
	if err := sb.RemoveNetwork(ctx, "front"); err != nil {
		t.Errorf("rm after the exit: %v", err)
	}

	cs := busybox("h")
	cs.Network = "host"
	h, _ := sb.Create(ctx, cs)
	wantError(t, "host mode", h.ConnectNetwork(ctx, auto, backend.EndpointOptions{}), "container sharing network namespace with another container or host cannot be connected to any other network", backend.ErrInvalid)
	wantError(t, "aliases on bridge", c.ConnectNetwork(ctx, bridge, backend.EndpointOptions{Aliases: []string{"x"}}), "network-scoped aliases are only supported for user-defined networks", backend.ErrInvalid)
}

func TestNetworkCreateErrors(t *testing.T) {
	b, sb := setup(t)
	for _, tt := range []struct {
		opts backend.NetworkOptions
		want string
	}{
		{backend.NetworkOptions{Driver: "overlay"}, `plugin "overlay" not found: berth has the drivers "bridge" and "macvlan"`},
		{backend.NetworkOptions{Subnet: "10.0.0.0/33"}, "invalid CIDR address: 10.0.0.0/33"},
		{backend.NetworkOptions{Subnet: "10.0.0.0/24", Gateway: "10.1.0.1"}, "no matching subnet for gateway 10.1.0.1"},
		{backend.NetworkOptions{Subnet: "10.0.0.0/24", IPRange: "10.0.1.0/25"}, "no matching subnet for range 10.0.1.0/25"},
		{backend.NetworkOptions{Gateway: "10.1.0.1"}, "every ip-range or gateway must have a corresponding subnet"},
		{backend.NetworkOptions{Driver: "macvlan"}, `macvlan needs a parent interface: options={"parent": IFACE}`},
		{backend.NetworkOptions{Driver: "macvlan", Options: map[string]string{"parent": "eth0"}}, "-o parent interface was not found on the host: eth0"},
	} {
		_, err := sb.CreateNetwork(ctx, "n", tt.opts)
		wantError(t, tt.want, err, tt.want, backend.ErrInvalid)
	}
	pair, err := sb.Host().CreateVethPair(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.CreateNetwork(ctx, "mv", backend.NetworkOptions{Driver: "macvlan", Options: map[string]string{"parent": pair.A}}); err != nil {
		t.Errorf("macvlan on a veth end: %v", err)
	}
	if got := b.FakeHost().Links(); !slices.Equal(got, []string{pair.A, pair.B}) {
		t.Errorf("links = %v", got)
	}
	if err := sb.Host().RemoveVethPair(ctx, pair); err != nil || len(b.FakeHost().Links()) != 0 {
		t.Errorf("RemoveVethPair: %v, left %v", err, b.FakeHost().Links())
	}
	if err := sb.Host().RemoveVethPair(ctx, pair); err != nil {
		t.Errorf("removing a pair twice: %v", err)
	}
}
