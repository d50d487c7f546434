package network

import (
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"berth/runtime/network/nstest"
	"berth/runtime/spec"
)

// hostPort is the host port inspect shows for a published port.
func hostPort(t *testing.T, n *ContainerNet, key string) string {
	t.Helper()
	list, _ := n.Inspect()["Ports"].(map[string]any)[key].([]any)
	if len(list) != 1 {
		t.Fatalf("inspect's Ports[%s] = %v", key, list)
	}
	return list[0].(map[string]any)["HostPort"].(string)
}

// A container on a user network, from Setup to Teardown: its address,
// its /etc/hosts line, its names in the embedded DNS, its published port;
// and after Teardown, none of them.
func TestSetupAndTeardown(t *testing.T) {
	m, s := newManager(t, "live"), newScope()
	rec := s.addNetwork(t, m, "web", CreateSpec{})
	app := s.newContainer(t, m, "app", spec.Container{Network: "web", Aliases: []string{"www"}, Ports: []string{"127.0.0.1::80"}})
	ns := containerNS(t)
	serveHello(t, ns, ":80")

	setup(t, app, ns)
	ip := app.IP()
	if !rec.Subnet.Contains(netipAddr(t, ip)) {
		t.Fatalf("address %q, want one of %s", ip, rec.Subnet)
	}
	if got, want := readFile(t, app.dir, "hosts"), hostsHeader+ip+"\t"+app.Hostname()+"\n"; got != want {
		t.Errorf("hosts %q, want %q", got, want)
	}
	for _, name := range []string{"app", "www", app.id[:12]} {
		if got, err := resolveIn(ns, name); err != nil || !slices.Equal(got, []string{ip}) {
			t.Errorf("%s resolves to %v, %v; want %s", name, got, err, ip)
		}
	}
	ep := app.Inspect()["Networks"].(map[string]any)["web"].(map[string]any)
	if ep["IPAddress"] != ip || ep["Gateway"] != rec.Gateway.String() || ep["EndpointID"] != EndpointID(rec.ID, app.id) {
		t.Errorf("inspect's endpoint %v", ep)
	}
	port := hostPort(t, app, "80/tcp")
	if got := get(t, port); got != "hello" {
		t.Errorf("through the proxy: %q", got)
	}

	app.Teardown()
	if app.IP() != "" {
		t.Errorf("address %q after Teardown", app.IP())
	}
	if eps, err := m.Endpoints(rec.ID); err != nil || len(eps) != 0 {
		t.Errorf("endpoints after Teardown: %+v, %v", eps, err)
	}
	if got := s.table.Lookup(app.id, "www"); len(got) != 0 {
		t.Errorf("www still in the DNS table: %v", got)
	}
	if _, err := resolveIn(ns, "app"); err == nil {
		t.Error("the DNS server still answers after Teardown")
	}
	if !portFree("tcp", port) {
		t.Errorf("host port %s still held after Teardown", port)
	}
}

// serveHello answers every TCP connection to addr inside ns with "hello".
func serveHello(t *testing.T, ns, addr string) {
	t.Helper()
	l := listenIn(t, ns, func() (net.Listener, error) { return net.Listen("tcp4", addr) })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte("hello"))
			c.Close()
		}
	}()
}

// get reads what the server behind a published TCP port says.
func get(t *testing.T, port string) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp4", "127.0.0.1:"+port, hangGuard)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(hangGuard))
	body, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

// A published UDP port reaches the container through the proxy, via
// 127.0.0.1, and goes away with the container's run.
func TestPublishedUDPPort(t *testing.T) {
	m, s := newManager(t, "live"), newScope()
	s.addNetwork(t, m, "bridge", CreateSpec{Default: true})
	c := s.newContainer(t, m, "echo", spec.Container{Ports: []string{"127.0.0.1::5353/udp"}})
	ns := containerNS(t)
	pc := listenIn(t, ns, func() (net.PacketConn, error) { return net.ListenPacket("udp4", ":5353") })
	go func() {
		buf := make([]byte, 64)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			_, _ = pc.WriteTo(append([]byte("echo: "), buf[:n]...), from)
		}
	}()
	setup(t, c, ns)
	port := hostPort(t, c, "5353/udp")
	conn, err := net.Dial("udp4", "127.0.0.1:"+port)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(hangGuard))
	if _, err := conn.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, err := conn.Read(buf)
	if err != nil || string(buf[:n]) != "echo: ping" {
		t.Fatalf("reply %q, %v; want echo: ping", buf[:n], err)
	}
	c.Teardown()
	if !portFree("udp", port) {
		t.Errorf("port %s still held after Teardown", port)
	}
}

// A Setup that fails (the address is taken) leaves nothing: no endpoint,
// no DNS entry, no proxy, no namespace for joiners to use.
func TestFailedSetupLeavesNothing(t *testing.T) {
	m, s := newManager(t, "live"), newScope()
	rec := s.addNetwork(t, m, "fixed", CreateSpec{Subnet: "10.217.0.0/24"})
	first := s.newContainer(t, m, "first", spec.Container{Network: "fixed", IP: "10.217.0.7"})
	second := s.newContainer(t, m, "second", spec.Container{Network: "fixed", IP: "10.217.0.7", Ports: []string{"127.0.0.1::80"}})
	joiner := s.newContainer(t, m, "joiner", spec.Container{Network: "container:second"})
	setup(t, first, containerNS(t))
	err := second.Setup(containerNS(t))
	if err == nil || !strings.Contains(err.Error(), "Address already in use") {
		t.Fatalf("second Setup = %v, want Address already in use", err)
	}
	eps, err := m.Endpoints(rec.ID)
	if err != nil || len(eps) != 1 || eps[0].ContainerID != first.id {
		t.Errorf("endpoints after a failed Setup = %+v, %v; want only the first container's", eps, err)
	}
	if second.IP() != "" || len(second.proxies) != 0 || second.dns != nil {
		t.Errorf("after a failed Setup: address %q, %d proxies, DNS server %v", second.IP(), len(second.proxies), second.dns)
	}
	if got := s.table.Lookup(first.id, "second"); len(got) != 0 {
		t.Errorf("second is in the DNS table: %v", got)
	}
	if _, err := joiner.Verify(); !errors.Is(err, ErrNotRunning) {
		t.Errorf("joining a container whose Setup failed: %v", err)
	}
}

// Links on the default bridge: /etc/hosts lines and Docker's variables,
// from the target as it runs now.
func TestLinksOnTheDefaultBridge(t *testing.T) {
	m, s := newManager(t, "live"), newScope()
	s.addNetwork(t, m, "bridge", CreateSpec{Default: true})
	db := s.newContainer(t, m, "db", spec.Container{Hostname: "dbhost", Env: []string{"PATH=/bin", "PASSWORD=x"}, Ports: []string{"127.0.0.1::5432"}})
	app := s.newContainer(t, m, "app", spec.Container{Links: []string{"db:my-sql"}})
	if env := app.LinkEnv(); env != nil {
		t.Errorf("link variables while db is stopped: %q", env)
	}
	setup(t, db, containerNS(t))
	setup(t, app, containerNS(t))
	ip := db.IP()
	want := []string{
		"MY_SQL_NAME=/app/my-sql", "MY_SQL_ENV_PASSWORD=x",
		"MY_SQL_PORT=tcp://" + ip + ":5432", "MY_SQL_PORT_5432_TCP=tcp://" + ip + ":5432",
		"MY_SQL_PORT_5432_TCP_ADDR=" + ip, "MY_SQL_PORT_5432_TCP_PORT=5432", "MY_SQL_PORT_5432_TCP_PROTO=tcp",
	}
	if got := app.LinkEnv(); !slices.Equal(got, want) {
		t.Errorf("link variables\n got %q\nwant %q", got, want)
	}
	hosts := readFile(t, app.dir, "hosts")
	if line := ip + "\tmy-sql dbhost db\n"; !strings.Contains(hosts, line) {
		t.Errorf("hosts %q, want the line %q", hosts, line)
	}
	if got := app.InspectLinks(); len(got) != 1 || got[0] != "/db:/app/my-sql" {
		t.Errorf("inspect's Links %v", got)
	}
}

// A container that joined another's namespace keeps it alive after the
// other's exit: the other's Teardown takes its interfaces out, so its
// released address is nobody's. A joiner that was removed does not count.
func TestTeardownWithAJoinerRemovesTheInterfaces(t *testing.T) {
	for _, removed := range []bool{false, true} {
		m, s := newManager(t, "live"), newScope()
		s.addNetwork(t, m, "bridge", CreateSpec{Default: true})
		db := s.newContainer(t, m, "db", spec.Container{})
		j := s.newContainer(t, m, "j", spec.Container{Network: "container:db"})
		ns := containerNS(t)
		setup(t, db, ns)
		if got, err := j.Verify(); err != nil || got.Join != ns {
			t.Fatalf("Verify = %+v, %v; want to join %s", got, err, ns)
		}
		setup(t, j, ns)
		if removed {
			j.Close()
		}
		db.Teardown()
		_, err := nstest.Handle(t, ns).LinkByName("eth0")
		if gone := err != nil; gone == removed {
			t.Errorf("joiner removed %v: eth0 gone after db's Teardown = %v", removed, gone)
		}
		if _, err := j.Verify(); !errors.Is(err, ErrNotRunning) {
			t.Errorf("joining db after its Teardown: %v", err)
		}
	}
}
