// Package crowd writes a suite of many scenario files that each need a
// default bridge and two user networks, the load under which berth once
// ran out of address pools. cmd/berth's tests run it and assert that every
// file passes and nothing is left; berth-bench times it.
package crowd

import (
	"fmt"
	"os"
	"path/filepath"
)

// scenario is one file. It starts a container on the file's default
// bridge, creates two user networks, puts a container on both and reaches
// it from a third through the second network's bridge. It writes what it
// made on the host to a file, one "kind value" per line: "ifindex N" for
// the host end of each container's veth pair (eth0's iflink inside) and
// "dev NAME" for each bridge, so a test can check that all are gone.
const scenario = `# One of many files run at once: a default bridge and two user networks.

def iflink(c, dev):
    return "ifindex " + c.exec("cat /sys/class/net/%%s/iflink" %% dev).stdout.strip()

def test_bridge_and_two_networks():
    a = run("busybox", "sleep 3600", name = "on_bridge", detach = True)
    n1 = network.create("n1")
    n2 = network.create("n2")
    b = run("busybox", "sleep 3600", name = "on_both", detach = True, network = n1)
    n2.connect(b)
    c = run("busybox", "sh -c 'cat /sys/class/net/eth0/iflink; ping -c1 -W5 on_both >/dev/null'", network = n2)
    assert.eq(c.exit_code, 0, c.output)

    bridge = network.inspect("bridge")
    gw = bridge["IPAM"]["Config"][0]["Gateway"]
    assert.eq(a.ip, gw[:gw.rfind(".")] + ".2")
    for n in [bridge, n1.inspect(), n2.inspect()]:
        assert.true(n["IPAM"]["Config"][0]["Subnet"].endswith(".0/24"), str(n["IPAM"]))
    made = [iflink(a, "eth0"), iflink(b, "eth0"), iflink(b, "eth1"), "ifindex " + c.stdout.strip(),
            "dev berth" + bridge["Id"][:8], "dev br-" + n1.id[:12], "dev br-" + n2.id[:12]]
    host.write_file(%q, "\n".join(made) + "\n")
`

// Write writes n scenario files into dir, crowd_00.star and on, each
// recording its links in dir/links/NN. It returns the links directory.
func Write(dir string, n int) (string, error) {
	links := filepath.Join(dir, "links")
	if err := os.MkdirAll(links, 0o755); err != nil {
		return "", err
	}
	for i := range n {
		name := fmt.Sprintf("crowd_%02d", i)
		body := fmt.Sprintf(scenario, filepath.Join(links, name))
		if err := os.WriteFile(filepath.Join(dir, name+".star"), []byte(body), 0o644); err != nil {
			return "", err
		}
	}
	return links, nil
}
