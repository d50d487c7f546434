package dns

import (
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// id makes a distinct, valid container id (and so a distinct short id) per name.
func id(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])
}

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

func ips(ss ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, ip(s))
	}
	return out
}

type joinSpec struct {
	network string
	name    string
	addr    string
	aliases []string
}

func mustJoin(t testing.TB, tb *Table, js ...joinSpec) {
	t.Helper()
	for _, j := range js {
		ep := Endpoint{ContainerID: id(j.name), Name: j.name, Aliases: j.aliases, Addr: ip(j.addr)}
		if err := tb.Join(j.network, ep); err != nil {
			t.Fatal(err)
		}
	}
}

// world is the membership most tests use. "client" is the asker: it is on
// net1 and net2, not on net3.
func world(t testing.TB) *Table {
	tb := NewTable()
	mustJoin(t, tb,
		joinSpec{"net1", "client", "172.18.0.10", nil},
		joinSpec{"net1", "web", "172.18.0.2", []string{"api"}},
		joinSpec{"net1", "db", "172.18.0.3", []string{"Store"}},
		joinSpec{"net1", "cache", "172.18.0.4", []string{"web"}}, // an alias equal to another's name
		joinSpec{"net2", "client", "172.20.0.10", nil},
		joinSpec{"net2", "web", "172.20.0.2", nil},
		joinSpec{"net2", "worker", "172.20.0.5", nil},
		joinSpec{"net3", "secret", "172.21.0.2", nil},
		joinSpec{"net3", "web", "172.21.0.3", nil},
	)
	return tb
}

func TestLookup(t *testing.T) {
	tb := world(t)
	client := id("client")
	tests := []struct {
		name string
		want []netip.Addr
	}{
		{"web", ips("172.18.0.2", "172.18.0.4", "172.20.0.2")},
		{"WeB.", ips("172.18.0.2", "172.18.0.4", "172.20.0.2")},
		{"api", ips("172.18.0.2")},
		{"store", ips("172.18.0.3")},
		{"STORE", ips("172.18.0.3")},
		{id("db")[:12], ips("172.18.0.3")},
		{strings.ToUpper(id("db")[:12]), ips("172.18.0.3")},
		{"web.net1", ips("172.18.0.2", "172.18.0.4")},
		{"Web.NET2.", ips("172.20.0.2")},
		{"api.net1", ips("172.18.0.2")},
		{id("worker")[:12] + ".net2", ips("172.20.0.5")},
		{"client", ips("172.18.0.10", "172.20.0.10")},
		// Not visible: client is not on net3.
		{"secret", nil},
		{"secret.net3", nil},
		{"web.net3", nil},
		// Not names.
		{"api.net2", nil}, // web's alias is only on net1
		{id("db"), nil},   // the full id is not a name, only the short one
		{id("db")[:11], nil},
		{"net1", nil},
		{"", nil},
		{".", nil},
		{"nosuch", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tb.Lookup(client, tt.name)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Lookup(client, %q) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestLookupOfContainerNotOnAnyNetwork(t *testing.T) {
	tb := world(t)
	if got := tb.Lookup(id("stranger"), "web"); got != nil {
		t.Fatalf("a container on no network resolved web to %v", got)
	}
	if got := tb.Lookup(id("secret"), "worker"); got != nil {
		t.Fatalf("secret (only on net3) resolved worker (only on net2) to %v", got)
	}
	if got, want := tb.Lookup(id("secret"), "web"), ips("172.21.0.3"); !reflect.DeepEqual(got, want) {
		t.Fatalf("secret resolved web to %v, want only net3's %v", got, want)
	}
}

func TestLookupDeduplicatesAddresses(t *testing.T) {
	tb := NewTable()
	// The same address on two networks cannot happen on real bridges, but
	// the answer must still list it once.
	mustJoin(t, tb,
		joinSpec{"a", "client", "10.0.0.1", nil},
		joinSpec{"b", "client", "10.1.0.1", nil},
		joinSpec{"a", "x", "10.9.9.9", nil},
		joinSpec{"b", "x", "10.9.9.9", nil},
	)
	if got, want := tb.Lookup(id("client"), "x"), ips("10.9.9.9"); !reflect.DeepEqual(got, want) {
		t.Fatalf("Lookup = %v, want %v", got, want)
	}
}

func TestLookupAddr(t *testing.T) {
	tb := world(t)
	tests := []struct {
		addr   string
		want   string
		wantOK bool
	}{
		{"172.18.0.3", "db.net1.", true},
		{"172.20.0.2", "web.net2.", true},
		{"::ffff:172.18.0.4", "cache.net1.", true},
		{"172.21.0.2", "", false}, // on net3, which client is not on
		{"172.18.0.99", "", false},
	}
	for _, tt := range tests {
		got, ok := tb.LookupAddr(id("client"), ip(tt.addr))
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("LookupAddr(%s) = %q, %v; want %q, %v", tt.addr, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestLeave(t *testing.T) {
	tb := world(t)
	client := id("client")

	tb.Leave("net1", id("web"))
	if got, want := tb.Lookup(client, "web"), ips("172.18.0.4", "172.20.0.2"); !reflect.DeepEqual(got, want) {
		t.Fatalf("after web left net1: web = %v, want %v", got, want)
	}
	if got := tb.Lookup(client, "api"); got != nil {
		t.Fatalf("after web left net1: its alias api = %v, want nothing", got)
	}

	tb.Leave("net1", id("web"))    // again: nothing to do
	tb.Leave("nosuch", id("web"))  // unknown network
	tb.Leave("net2", id("nobody")) // not a member

	tb.LeaveAll(id("web"))
	if got, want := tb.Lookup(client, "web"), ips("172.18.0.4"); !reflect.DeepEqual(got, want) {
		t.Fatalf("after web left everything: web = %v, want %v", got, want)
	}

	// Joining again puts web last in the order.
	mustJoin(t, tb, joinSpec{"net1", "web", "172.18.0.7", nil})
	if got, want := tb.Lookup(client, "web"), ips("172.18.0.4", "172.18.0.7"); !reflect.DeepEqual(got, want) {
		t.Fatalf("after web rejoined: web = %v, want %v", got, want)
	}

	// The asker leaving a network stops it seeing that network.
	tb.Leave("net2", client)
	if got := tb.Lookup(client, "worker"); got != nil {
		t.Fatalf("after client left net2: worker = %v, want nothing", got)
	}
}

func TestJoinAgainReplacesInPlace(t *testing.T) {
	tb := world(t)
	mustJoin(t, tb, joinSpec{"net1", "web", "172.18.0.42", []string{"front"}})
	if got, want := tb.Lookup(id("client"), "web"), ips("172.18.0.42", "172.18.0.4", "172.20.0.2"); !reflect.DeepEqual(got, want) {
		t.Fatalf("web = %v, want %v (same place, new address)", got, want)
	}
	if got := tb.Lookup(id("client"), "api"); got != nil {
		t.Fatalf("old alias api still resolves to %v", got)
	}
	if got, want := tb.Lookup(id("client"), "front"), ips("172.18.0.42"); !reflect.DeepEqual(got, want) {
		t.Fatalf("front = %v, want %v", got, want)
	}
}

func TestJoinRejectsBadInput(t *testing.T) {
	good := Endpoint{ContainerID: id("x"), Name: "x", Addr: ip("10.0.0.2")}
	tests := []struct {
		name    string
		network string
		edit    func(*Endpoint)
		wantErr string
	}{
		{"empty network", "", func(*Endpoint) {}, "empty network name"},
		{"short id", "n", func(e *Endpoint) { e.ContainerID = "abc123" }, `"abc123": want 64 lower-case hex digits`},
		{"upper-case id", "n", func(e *Endpoint) { e.ContainerID = strings.ToUpper(id("x")) }, "want 64 lower-case hex digits"},
		{"no address", "n", func(e *Endpoint) { e.Addr = netip.Addr{} }, "has no address"},
		{"empty name", "n", func(e *Endpoint) { e.Name = "" }, `name: "": want a non-empty name`},
		{"name ending in a dot", "n", func(e *Endpoint) { e.Name = "x." }, `name: "x.": want`},
		{"bad alias", "n", func(e *Endpoint) { e.Aliases = []string{"a..b"} }, `alias: "a..b": not a valid domain name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := good
			tt.edit(&ep)
			err := NewTable().Join(tt.network, ep)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Join = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
	if err := NewTable().Join("n", good); err != nil {
		t.Fatalf("Join of a good endpoint: %v", err)
	}
}

// A --link alias on a user network resolves only for the linking
// container, to the target's address on that network.
func TestLinkAliasIsPrivateToTheLinker(t *testing.T) {
	tb := NewTable()
	mustJoin := func(ep Endpoint) {
		t.Helper()
		if err := tb.Join("net1", ep); err != nil {
			t.Fatal(err)
		}
	}
	mustJoin(Endpoint{ContainerID: id("db"), Name: "db", Addr: netip.MustParseAddr("172.18.0.2")})
	mustJoin(Endpoint{ContainerID: id("app"), Name: "app", Addr: netip.MustParseAddr("172.18.0.3"), Links: map[string]string{"MySQL": "db"}})
	mustJoin(Endpoint{ContainerID: id("other"), Name: "other", Addr: netip.MustParseAddr("172.18.0.4")})
	if got := tb.Lookup(id("app"), "mysql"); !reflect.DeepEqual(got, ips("172.18.0.2")) {
		t.Errorf("linker resolves mysql to %v, want 172.18.0.2", got)
	}
	if got := tb.Lookup(id("other"), "mysql"); got != nil {
		t.Errorf("another container resolves the link alias to %v, want nothing", got)
	}
	if got := tb.Lookup(id("app"), "db"); !reflect.DeepEqual(got, ips("172.18.0.2")) {
		t.Errorf("the target's own name = %v", got)
	}
}
