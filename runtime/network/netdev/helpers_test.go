package netdev

import (
	"bufio"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"slices"
	"testing"
	"time"

	"berth/runtime/network/nstest"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// newHost makes a throwaway namespace that plays the host and returns a
// netlink handle on it, the way the engine holds one on the real host.
func newHost(t testing.TB) (string, *netlink.Handle) {
	t.Helper()
	path := nstest.New(t)
	return path, handleAt(t, path)
}

func handleAt(t testing.TB, path string) *netlink.Handle { return nstest.Handle(t, path) }

// linkNames lists every link name in the namespace at path.
func linkNames(t testing.TB, path string) []string {
	t.Helper()
	ifs, err := Interfaces(path)
	if err != nil {
		t.Fatalf("Interfaces(%s): %v", path, err)
	}
	var names []string
	for _, i := range ifs {
		names = append(names, i.Name)
	}
	return names
}

func iface(t testing.TB, path, name string) Interface {
	t.Helper()
	ifs, err := Interfaces(path)
	if err != nil {
		t.Fatalf("Interfaces(%s): %v", path, err)
	}
	for _, i := range ifs {
		if i.Name == name {
			return i
		}
	}
	t.Fatalf("no interface %s in %s; have %v", name, path, linkNames(t, path))
	return Interface{}
}

// addVethPair makes a plain veth pair inside the namespace of h, both ends
// up, for use as a macvlan parent or as a link of the wrong kind.
func addVethPair(t testing.TB, h *netlink.Handle, a, b string) {
	t.Helper()
	attrs := netlink.NewLinkAttrs()
	attrs.Name = a
	attrs.Flags = net.FlagUp
	if err := h.LinkAdd(&netlink.Veth{LinkAttrs: attrs, PeerName: b, PeerTxQLen: -1}); err != nil {
		t.Fatalf("add veth %s/%s: %v", a, b, err)
	}
	peer, err := h.LinkByName(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.LinkSetUp(peer); err != nil {
		t.Fatal(err)
	}
}

// assertTCP opens a listener on addr inside the namespace server and dials
// it from inside client, checking one line makes the round trip. The
// traffic never leaves the test's own namespaces.
func assertTCP(t *testing.T, server, client string, addr netip.Addr) {
	t.Helper()
	var ln net.Listener
	err := nstest.Do(server, func() error {
		var err error
		ln, err = net.Listen("tcp", netip.AddrPortFrom(addr, 0).String())
		return err
	})
	if err != nil {
		t.Fatalf("listen on %s: %v", addr, err)
	}
	defer ln.Close()
	target := ln.Addr().String()

	served := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			served <- err
			return
		}
		defer c.Close()
		line, err := bufio.NewReader(c).ReadString('\n')
		if err == nil {
			_, err = fmt.Fprintf(c, "echo %s", line)
		}
		served <- err
	}()

	var reply string
	err = nstest.Do(client, func() error {
		// The timeout only keeps a broken setup from hanging the test.
		c, err := net.DialTimeout("tcp", target, 10*time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		if _, err := fmt.Fprintln(c, "hello"); err != nil {
			return err
		}
		reply, err = bufio.NewReader(c).ReadString('\n')
		return err
	})
	if err != nil {
		ln.Close()
		t.Fatalf("dial %s from the other namespace: %v", target, err)
	}
	if err := <-served; err != nil {
		t.Fatalf("server: %v", err)
	}
	if reply != "echo hello\n" {
		t.Fatalf("reply = %q, want %q", reply, "echo hello\n")
	}
}

// hasRoute reports whether routes contains dst via gw.
func hasRoute(routes []Route, dst string, gw string) bool {
	want := Route{Dst: netip.MustParsePrefix(dst)}
	if gw != "" {
		want.Gateway = netip.MustParseAddr(gw)
	}
	return slices.Contains(routes, want)
}

// throwawayNS makes a network namespace held only by a file descriptor, so
// a benchmark can make and drop thousands without mounts piling up until
// cleanup. Closing the descriptor destroys the namespace.
func throwawayNS(tb testing.TB) (path string, done func()) {
	tb.Helper()
	type result struct {
		fd  int
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies in the new namespace
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			ch <- result{err: err}
			return
		}
		fd, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		ch <- result{fd, err}
	}()
	r := <-ch
	if r.err != nil {
		tb.Fatalf("new namespace: %v", r.err)
	}
	return fmt.Sprintf("/proc/self/fd/%d", r.fd), func() { unix.Close(r.fd) }
}
