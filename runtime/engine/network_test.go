package engine

import (
	"berth/runtime/backend"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"berth/runtime/network"
	"berth/runtime/spec"
)

// Networks and their names belong to a sandbox: two files can both have
// "mynet", each on its own bridge, and closing a sandbox removes its
// networks and its default bridge from the host.
func TestNetworksAreSandboxed(t *testing.T) {
	a, b := newSandbox(t.Name()+"/a", nil), newSandbox(t.Name()+"/b", nil)
	defer a.Close()
	defer b.Close()
	na, err := a.CreateNetwork(ctx(t), "mynet", backend.NetworkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	nb, err := b.CreateNetwork(ctx(t), "mynet", backend.NetworkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if na.ID == nb.ID || na.Subnet == nb.Subnet {
		t.Fatalf("two sandboxes share mynet: %s %s / %s %s", na.ID, na.Subnet, nb.ID, nb.Subnet)
	}
	ca, err := a.Run(ctx(t), spec.Container{Image: "busybox", Name: "web", Cmd: []string{"sleep", "3600"}, Network: "mynet"}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := b.Run(ctx(t), spec.Container{Image: "busybox", Name: "client", Cmd: []string{"sleep", "3600"}, Network: "mynet"}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	// b's client cannot resolve a's web, though both networks are "mynet".
	code, out, _ := execIn(t, cb, "nslookup", "web")
	if code == 0 {
		t.Errorf("a container of another sandbox resolved web:\n%s", out)
	}
	code, out, _ = execIn(t, ca, "nslookup", "web")
	if code != 0 || !strings.Contains(out, "Address: "+ca.IP()) {
		t.Errorf("web does not resolve itself: %d\n%s", code, out)
	}
	bridges := []string{"br-" + na.ID[:12], "br-" + nb.ID[:12]}
	def, err := a.Network(ctx(t), "bridge")
	if err != nil {
		t.Fatal(err)
	}
	defDev := defaultBridgeDevice(t, def)
	for _, dev := range append(bridges, defDev) {
		if _, err := os.Stat("/sys/class/net/" + dev); err != nil {
			t.Errorf("bridge %s missing while its sandbox is open: %v", dev, err)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	for _, dev := range []string{bridges[0], defDev} {
		if _, err := os.Stat("/sys/class/net/" + dev); err == nil {
			t.Errorf("bridge %s left after its sandbox closed", dev)
		}
	}
	nets, err := testEngine.nets.List()
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(nets, func(r network.Record) bool { return r.ID == na.ID || r.ID == def.ID }) {
		t.Errorf("records of a closed sandbox's networks remain")
	}
}

// A start that fails on the network (an address already taken) leaves the
// container created, with no endpoint and nothing held.
func TestFailedConnectLeavesNothing(t *testing.T) {
	sb := sandbox(t)
	if _, err := sb.CreateNetwork(ctx(t), "fixed", backend.NetworkOptions{Subnet: "10.123.0.0/24"}); err != nil {
		t.Fatal(err)
	}
	first, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"sleep", "3600"}, Network: "fixed", IP: "10.123.0.7"}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	second, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"sleep", "3600"}, Network: "fixed", IP: "10.123.0.7"}, backend.RunOptions{Detach: true})
	if err == nil || !strings.Contains(err.Error(), "Address already in use: got ip 10.123.0.7 on network fixed") {
		t.Fatalf("second run = %v, want Address already in use: got ip 10.123.0.7 on network fixed", err)
	}
	if st := second.State(); st.Status != backend.StatusCreated || st.Pid != 0 {
		t.Errorf("second container after a failed start: %+v", st)
	}
	n, _ := sb.Network(ctx(t), "fixed")
	eps, err := testEngine.nets.Endpoints(n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(eps) != 1 || eps[0].ContainerID != first.ID() {
		t.Errorf("endpoints after a failed start = %+v, want only the first container's", eps)
	}
}

func execIn(t *testing.T, c backend.Container, args ...string) (int, string, string) {
	t.Helper()
	res, err := c.Exec(ctx(t), backend.ExecOptions{Cmd: args})
	if err != nil {
		t.Fatal(err)
	}
	return res.ExitCode, res.Stdout, res.Stderr
}

// A stopped container's address goes to the next container at once; the
// first connection to the new one must not be lost to the old one's
// dying port (the MAC, derived from the address, is the same).
func TestReusedAddressWorksAtOnce(t *testing.T) {
	sb := sandbox(t)
	client := &http.Client{Timeout: 5 * time.Second}
	var first string
	for i := range 8 {
		c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Ports: []string{"127.0.0.1:28090:80"},
			Cmd:    []string{"sh", "-c", "echo round " + strconv.Itoa(i) + " > /www/index.html; exec httpd -f -p 80 -h /www"},
			Mounts: []spec.Mount{{Type: spec.MountTmpfs, Target: "/www"}}}, backend.RunOptions{Detach: true})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = c.IP()
		} else if c.IP() != first {
			t.Fatalf("round %d: address %s, want the reused %s", i, c.IP(), first)
		}
		if err := backend.WaitForPort(ctx(t), c, 80, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		resp, err := client.Get("http://127.0.0.1:28090/")
		if err != nil {
			t.Fatalf("round %d: first request: %v", i, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := "round " + strconv.Itoa(i) + "\n"; string(body) != want {
			t.Fatalf("round %d: got %q, want %q", i, body, want)
		}
		if err := c.Remove(ctx(t), backend.RemoveOptions{Force: true}); err != nil {
			t.Fatal(err)
		}
	}
}

// defaultBridgeDevice is the host bridge of a file's default bridge.
func defaultBridgeDevice(t *testing.T, n backend.NetworkInfo) string {
	t.Helper()
	rec, err := testEngine.Networks().Get(n.ID)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Device
}
