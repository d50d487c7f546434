package hostmark

import (
	"strings"
	"testing"

	"berth/runtime/store"
)

func TestMarkRoundTrip(t *testing.T) {
	tests := []Mark{
		{Owner: store.Owner{Pid: 12, StartTime: 34}},
		{Owner: store.Owner{Pid: 12, StartTime: 34}, PIDNS: 4026531836, Root: RootID("/var/lib/berth"), Object: "network/0123456789ab"},
		NewMark(store.Owner{Pid: 1, StartTime: 0}, "", "host.veth_pair"),
	}
	for _, m := range tests {
		if err := m.Validate(); err != nil {
			t.Errorf("Validate(%+v): %v", m, err)
		}
		got, ok := Parse(m.String())
		if !ok || got != m {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", m.String(), got, ok, m)
		}
	}
}

func TestParseRefusesWhatBerthDidNotWrite(t *testing.T) {
	for _, alias := range []string{
		"", "berth", "uplink to the lab", "docker0", "berth owner=", "berth owner=live",
		"berth owner=0:1", "berth root=abc", "berthowner=1:2", "berth owner 1:2", "Berth owner=1:2",
		"berth owner=1:2 pidns=x",
	} {
		if m, ok := Parse(alias); ok {
			t.Errorf("Parse(%q) = %+v, want not a mark", alias, m)
		}
	}
	// Later versions may add fields: the owner is what counts.
	if m, ok := Parse("berth owner=5:6 color=blue"); !ok || m.Owner != (store.Owner{Pid: 5, StartTime: 6}) {
		t.Errorf("a mark with an unknown field: %+v, %v", m, ok)
	}
}

func TestValidate(t *testing.T) {
	o := store.Owner{Pid: 1, StartTime: 2}
	for _, tt := range []struct {
		m    Mark
		want string
	}{
		{Mark{Owner: store.Owner{}}, "want PID:STARTTIME"},
		{Mark{Owner: o, Object: "a b"}, `value "a b" has a space`},
		{Mark{Owner: o, Root: "x=y"}, `value "x=y" has a space or '='`},
		{Mark{Owner: o, Object: strings.Repeat("x", 250)}, "at most 255 fit"},
	} {
		if err := tt.m.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Validate(%+v) = %v, want %q", tt.m, err, tt.want)
		}
	}
}

func TestRootID(t *testing.T) {
	a, b := RootID("/var/lib/berth"), RootID("/var/tmp/berth-x")
	if len(a) != 12 || a == b || RootID("/var/lib/berth/") != a {
		t.Errorf("RootID: %q, %q, %q", a, b, RootID("/var/lib/berth/"))
	}
}

// Only an owner of this PID namespace can be judged: one of another
// namespace (a berth in a container sharing the host's network) or of a
// mark without a namespace is never taken for ended.
func TestOwnerEnded(t *testing.T) {
	me, err := store.Self()
	if err != nil {
		t.Fatal(err)
	}
	if PIDNamespace() == 0 {
		t.Fatal("PIDNamespace() = 0: /proc/self/ns/pid unreadable")
	}
	ended := store.Owner{Pid: me.Pid, StartTime: me.StartTime + 1}
	tests := []struct {
		name string
		m    Mark
		want bool
	}{
		{"ended, this namespace", NewMark(ended, "", ""), true},
		{"alive, this namespace", NewMark(me, "", ""), false},
		{"ended, another namespace", Mark{Owner: ended, PIDNS: PIDNamespace() + 1}, false},
		{"ended, no namespace", Mark{Owner: ended}, false},
	}
	for _, tt := range tests {
		if got := tt.m.OwnerEnded(); got != tt.want {
			t.Errorf("%s: OwnerEnded() = %v, want %v", tt.name, got, tt.want)
		}
		if parsed, ok := Parse(tt.m.String()); !ok || parsed.OwnerEnded() != tt.want {
			t.Errorf("%s: parsed again: %+v, %v", tt.name, parsed, ok)
		}
	}
}
