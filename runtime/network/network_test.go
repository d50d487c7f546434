package network

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"berth/runtime/hostmark"
	"berth/runtime/network/netdev"
	"berth/runtime/network/nstest"
	"berth/runtime/store"
)

// ownerTag maps the tests' owner names to owner tags: "live" is this
// process, any other name a process that has ended (this PID with another
// start time). Liveness is the process table's, as in production.
func ownerTag(t *testing.T, name string) string {
	t.Helper()
	me, err := store.Self()
	if err != nil {
		t.Fatal(err)
	}
	if name != "live" {
		me.StartTime++
	}
	return me.String()
}

func alive(tag string) bool {
	o, err := store.ParseOwner(tag)
	return err == nil && o.Alive()
}

// newManager opens a manager on a temporary root, on the real host: owner
// is "live" or a dead one (see ownerTag).
func newManager(t *testing.T, owner string) *Manager {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("bridges need root")
	}
	m, err := Open(filepath.Join(t.TempDir(), "networks"), ownerTag(t, owner), alive)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// newNSManager is a manager whose host is a throwaway namespace.
func newNSManager(t *testing.T, owner, dir string) *Manager {
	t.Helper()
	h := nstest.Handle(t, nstest.New(t))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return &Manager{dir: dir, host: h, owner: ownerTag(t, owner), alive: alive, rootID: hostmark.RootID(filepath.Dir(dir))}
}

func TestCreateGetRemove(t *testing.T) {
	m := newManager(t, "live")
	rec, err := m.Create(CreateSpec{Name: "n1", Subnet: "10.211.0.0/24"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = netdev.DeleteLink(m.Host(), rec.Device) }) // if the test stops early
	if rec.Device != "br-"+rec.ID[:12] || rec.Gateway.String() != "10.211.0.1" || !rec.UserSubnet {
		t.Errorf("record = %+v", rec)
	}
	if _, err := m.Host().LinkByName(rec.Device); err != nil {
		t.Fatalf("bridge %s: %v", rec.Device, err)
	}
	if _, err := m.Create(CreateSpec{Name: "n1"}); !errors.Is(err, ErrExists) || err.Error() != "network with name n1 already exists" {
		t.Errorf("duplicate = %v", err)
	}
	if _, err := m.Create(CreateSpec{Name: "n2", Subnet: "10.211.0.128/25"}); err == nil || err.Error() != "Pool overlaps with other one on this address space" {
		t.Errorf("overlap = %v", err)
	}
	if _, err := m.Create(CreateSpec{Name: "n3", Driver: "overlay"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown driver = %v", err)
	}
	if got, err := m.Get("n1"); err != nil || got.ID != rec.ID {
		t.Errorf("Get = %+v, %v", got, err)
	}
	if _, err := m.Get("nosuch"); !errors.Is(err, ErrNotFound) || err.Error() != "network nosuch not found" {
		t.Errorf("Get(nosuch) = %v", err)
	}

	ns := nstest.New(t)
	ep, err := m.Connect(rec, ConnectRequest{ContainerID: "c1", ContainerName: "web", NSPath: ns, IfName: "eth0", DefaultRoute: true})
	if err != nil {
		t.Fatal(err)
	}
	if ep.Addr.String() != "10.211.0.2" || ep.MAC != "02:42:0a:d3:00:02" {
		t.Errorf("endpoint = %+v", ep)
	}
	if _, err := m.Connect(rec, ConnectRequest{ContainerID: "c1", ContainerName: "web", NSPath: ns, IfName: "eth1"}); !errors.Is(err, ErrConnected) {
		t.Errorf("second connect = %v", err)
	}
	if err := m.Remove(rec); !errors.Is(err, ErrActiveEndpoints) {
		t.Errorf("Remove with an endpoint = %v", err)
	}
	if err := m.Disconnect(rec, "c1", ns); err != nil {
		t.Fatal(err)
	}
	if err := m.Disconnect(rec, "c1", ns); !errors.Is(err, ErrNotConnected) {
		t.Errorf("second disconnect = %v", err)
	}
	if err := m.Remove(rec); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Host().LinkByName(rec.Device); err == nil {
		t.Errorf("bridge %s left after Remove", rec.Device)
	}
}

// GC removes the networks and endpoints of dead owners, and directories
// of creations that died half-way, and leaves live ones and files being
// written alone.
func TestGC(t *testing.T) {
	dead := newManager(t, "dead")
	rec, err := dead.Create(CreateSpec{Name: "orphan"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = netdev.DeleteLink(dead.Host(), rec.Device) }) // if GC failed
	live, err := Open(dead.dir, ownerTag(t, "live"), alive)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(live.Close) // after the Remove below: cleanups run last first
	kept, err := live.Create(CreateSpec{Name: "kept"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = os.Remove(filepath.Join(live.netDir(kept.ID), "endpoints", "c3.json")) // the fake live endpoint
		if err := live.Remove(kept); err != nil {
			t.Errorf("remove kept: %v", err)
		}
	})
	eps := filepath.Join(dead.netDir(kept.ID), "endpoints")
	writing := filepath.Join(eps, "c2.json.123.tmp")
	for name, content := range map[string]string{
		"c1.json": `{"container_id":"c1","owner":"` + dead.owner + `"}`,
		"c3.json": `{"container_id":"c3","owner":"` + live.owner + `"}`,
	} {
		if err := os.WriteFile(filepath.Join(eps, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(writing, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	half := filepath.Join(dead.dir, "halfmade")
	if err := os.MkdirAll(filepath.Join(half, "endpoints"), 0o700); err != nil {
		t.Fatal(err)
	}

	res, err := live.GC()
	if err != nil || res.Networks != 1 || len(res.Left) != 0 {
		t.Fatalf("GC = %+v, %v; want the orphan network removed", res, err)
	}
	if _, err := live.Get("orphan"); !errors.Is(err, ErrNotFound) {
		t.Errorf("orphan still there: %v", err)
	}
	if _, err := live.Host().LinkByName(rec.Device); err == nil {
		t.Errorf("orphan's bridge %s left", rec.Device)
	}
	for path, want := range map[string]bool{filepath.Join(eps, "c1.json"): false, filepath.Join(eps, "c3.json"): true, writing: true, half: false} {
		if _, err := os.Stat(path); (err == nil) != want {
			t.Errorf("%s exists = %v, want %v", path, err == nil, want)
		}
	}
}
