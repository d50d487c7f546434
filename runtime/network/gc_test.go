package network

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"

	"berth/runtime/hostmark"
	"berth/runtime/network/netdev"
	"berth/runtime/store"
)

// Damages done to a record.
func garbage(p string) error { return os.WriteFile(p, []byte("\x00garbage{"), 0o600) }

func truncate(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	return os.Truncate(p, fi.Size()/2)
}

// A network whose record is damaged or gone is judged by its owner file:
// a dead owner's goes, with its bridge (found by its mark); a live
// owner's stays; without an owner file it stays and GC says so.
func TestGCDamagedRecord(t *testing.T) {
	tests := []struct {
		name, owner string
		damage      func(record string) error
		noOwnerFile bool
		wantGone    bool   // the network's directory
		wantBridge  bool   // its bridge after GC
		wantLeft    string // in GC's report
	}{
		{"garbage, dead owner", "dead", garbage, false, true, false, ""},
		{"truncated, dead owner", "dead", truncate, false, true, false, ""},
		{"deleted, dead owner", "dead", os.Remove, false, true, false, ""},
		{"garbage, live owner", "live", garbage, false, false, true, "is alive: left alone"},
		{"deleted, live owner", "live", os.Remove, false, false, true, "is alive: left alone"},
		{"garbage, no owner file", "dead", garbage, true, false, false, "owner file is unreadable: left"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if os.Geteuid() != 0 {
				t.Skip("bridges need root")
			}
			dir := filepath.Join(t.TempDir(), "networks")
			maker := newNSManager(t, tt.owner, dir)
			rec, err := maker.Create(CreateSpec{Name: "n", Subnet: "10.99.0.0/24"})
			if err != nil {
				t.Fatal(err)
			}
			netDir := maker.netDir(rec.ID)
			if err := tt.damage(filepath.Join(netDir, recordFile)); err != nil {
				t.Fatal(err)
			}
			if tt.noOwnerFile {
				if err := os.Remove(filepath.Join(netDir, ownerFile)); err != nil {
					t.Fatal(err)
				}
			}
			gc := &Manager{dir: dir, host: maker.host, owner: ownerTag(t, "live"), alive: alive}
			res, err := gc.GC()
			if err != nil {
				t.Fatalf("GC: %v", err)
			}
			if _, err := os.Stat(netDir); os.IsNotExist(err) != tt.wantGone {
				t.Errorf("network directory gone: %v, want %v", os.IsNotExist(err), tt.wantGone)
			}
			if _, err := maker.host.LinkByName(rec.Device); (err == nil) != tt.wantBridge {
				t.Errorf("bridge %s there: %v, want %v", rec.Device, err == nil, tt.wantBridge)
			}
			left := strings.Join(res.Left, "\n")
			if tt.wantLeft == "" && left != "" || !strings.Contains(left, tt.wantLeft) || tt.wantLeft != "" && !strings.Contains(left, rec.ID) {
				t.Errorf("GC left %q, want it to name %s and say %q", left, rec.ID, tt.wantLeft)
			}
			if wantLinks := map[bool]int{true: 0, false: 1}[tt.wantBridge]; res.Links != wantLinks {
				t.Errorf("GC removed %d marked links, want %d", res.Links, wantLinks)
			}
			if res, err := gc.GC(); err != nil || res.Networks+res.Links != 0 {
				t.Errorf("second GC = %+v, %v; want nothing more removed", res, err)
			}
		})
	}
}

// Only links berth marked for a dead owner go: never a live owner's, an
// unmarked one with a berth-like name, or one with another alias.
func TestSweepMarkedLinks(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("links need root")
	}
	m := newNSManager(t, "live", filepath.Join(t.TempDir(), "networks"))
	me, err := store.Self()
	if err != nil {
		t.Fatal(err)
	}
	ended := store.Owner{Pid: me.Pid, StartTime: me.StartTime + 1}
	dead := hostmark.NewMark(ended, "", "host.veth_pair")
	live := hostmark.NewMark(me, "abc", "network/0123")
	// An ended owner whose PID namespace is not this one cannot be told.
	otherNS := hostmark.Mark{Owner: ended, PIDNS: hostmark.PIDNamespace() + 1}
	links := []struct {
		name, peer, alias string
		want              bool // still there after the sweep
	}{
		{"br-dead", "", dead.String(), false},
		{"br-live", "", live.String(), true},
		{"berth0badcafe", "", "", true},
		{"br-foreign", "", "lab uplink", true},
		{"br-nopid", "", "berth owner=live", true},
		{"br-otherns", "", otherNS.String(), true},
		{"br-nons", "", "berth owner=" + ended.String(), true},
		{"bvpdeada", "bvpdeadb", dead.String(), false},
	}
	for _, l := range links {
		attrs := netlink.NewLinkAttrs()
		attrs.Name = l.name
		var link netlink.Link = &netlink.Bridge{LinkAttrs: attrs}
		if l.peer != "" {
			link = &netlink.Veth{LinkAttrs: attrs, PeerName: l.peer, PeerTxQLen: -1}
		}
		if err := m.host.LinkAdd(link); err != nil {
			t.Fatalf("add %s: %v", l.name, err)
		}
		for _, name := range []string{l.name, l.peer} {
			if name != "" && l.alias != "" {
				if err := netdev.SetAlias(m.host, name, l.alias); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	n, err := m.sweepMarkedLinks()
	if err != nil || n != 2 {
		t.Errorf("sweepMarkedLinks = %d, %v; want 2 (the dead bridge and the dead pair)", n, err)
	}
	all, err := m.host.LinkList()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range all {
		names = append(names, l.Attrs().Name)
	}
	for _, l := range links {
		if slices.Contains(names, l.name) != l.want {
			t.Errorf("%s there: %v, want %v (links now %q)", l.name, !l.want, l.want, names)
		}
	}
	if !slices.Contains(names, "lo") || slices.Contains(names, "bvpdeadb") {
		t.Errorf("links after the sweep: %q", names)
	}
}
