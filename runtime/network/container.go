package network

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"berth/runtime/network/dns"
	"berth/runtime/network/portproxy"
	"berth/runtime/spec"
)

// ErrNotRunning classifies a start that would join the network namespace
// of a container that is not running.
var ErrNotRunning = errors.New("container not running")

// netKind is how a container gets its network namespace.
type netKind int

const (
	netNetworks  netKind = iota // its own namespace, on one or more networks
	netNone                     // its own namespace with lo only
	netHost                     // the host's namespace
	netContainer                // another container's namespace
)

// attachment is the container's place on one network; ep is set while it
// runs (addresses are not sticky across stop and start, as in Docker).
type attachment struct {
	net     Record // Name is the scenario's name for it
	aliases []string
	ip      netip.Addr // --ip; invalid = allocate
	ep      *Endpoint
}

// isUser reports whether the network was created by a scenario (it has
// the embedded DNS and takes aliases).
func (a *attachment) isUser() bool { return !a.net.Default }

// link is --link target[:alias].
type link struct {
	target *ContainerNet
	alias  string
}

// Scope is what a container's networking needs from the sandbox that
// owns the container.
type Scope interface {
	// Network finds a network by the name the scenario knows it by; the
	// record carries that name.
	Network(name string) (Record, error)
	// Container finds another container's networking by name or id, for
	// --link and network="container:NAME".
	Container(ref string) (*ContainerNet, error)
	// DNS is the membership table the embedded DNS answers from: one per
	// scenario file.
	DNS() *dns.Table
}

// ContainerConfig is what a container's networking is made from.
type ContainerConfig struct {
	ID, Name string
	// Dir holds the hostname, hosts and resolv.conf files that are
	// bind-mounted over the container's own.
	Dir string
	// Spec is the validated spec. Its Env is what the container sees:
	// --link shows it to the containers that link to this one.
	Spec spec.Container
	// Exposed is Config.ExposedPorts ("80/tcp", sorted): the image's and
	// the published ones. Links show them; inspect lists the unpublished
	// ones with no binding.
	Exposed []string
}

// ContainerNet is one container's networking, from create to remove, as
// libnetwork's sandbox is: the network mode, the networks with their
// endpoints, the links, the published ports, the embedded DNS server, the
// port proxies and the /etc files. The engine calls it at the lifecycle's
// points: NewContainerNet at create, WriteEtcFiles once the container's
// directory exists, Verify before each start, Setup once the namespace
// exists (before the program runs), Teardown when the program exits,
// Close at remove; Connect and Disconnect at any time.
type ContainerNet struct {
	m     *Manager
	scope Scope
	id    string
	name  string
	dir   string
	env   []string
	mode  string // --network as given, for inspect
	// hostname is the container's: asked, the joined container's, the
	// host's, or the short id.
	hostname string
	kind     netKind
	join     *ContainerNet // netContainer: whose namespace
	links    []link
	ports    []portproxy.Mapping
	exposed  []string // ContainerConfig.Exposed

	// live is the namespace's path between Setup and Teardown. Containers
	// joined to this one, and the one this one joins, read it without the
	// lock: each may hold its own while it does.
	live atomic.Pointer[string]

	mu      sync.Mutex
	joiners []*ContainerNet // containers created with network="container:<this one>"
	nets    []*attachment
	nextIf  int // eth<N> of the next interface; never reused in one run
	dns     *dns.Server
	proxies []*portproxy.Proxy
	nsPath  string // the network namespace of the current run, "" when not set up
	nsIno   uint64 // its inode
}

// NewContainerNet applies the network options at create: the mode, the
// networks by the scenario's names, the link targets and the port
// mappings. Nothing exists yet, so a bad network or link costs nothing.
func (m *Manager) NewContainerNet(scope Scope, cc ContainerConfig) (*ContainerNet, error) {
	cs := cc.Spec
	n := &ContainerNet{m: m, scope: scope, id: cc.ID, name: cc.Name, dir: cc.Dir, env: cs.Env, mode: cs.Network, exposed: cc.Exposed}
	if err := n.resolveMode(cs); err != nil {
		return nil, err
	}
	for _, l := range cs.Links {
		name, alias, _ := strings.Cut(l, ":")
		if alias == "" {
			alias = name
		}
		target, err := scope.Container(name)
		if err != nil {
			return nil, fmt.Errorf("could not get container for %s: %w", name, err)
		}
		n.links = append(n.links, link{target: target, alias: alias})
	}
	for _, p := range cs.Ports {
		m, err := spec.ParsePortMapping(p)
		if err != nil {
			return nil, err
		}
		// As Docker: checked always, published only from a namespace of
		// the container's own on a network (host and none discard them).
		if n.kind == netNetworks {
			n.ports = append(n.ports, m)
		}
	}
	n.hostname = n.defaultHostname(cs.Hostname)
	if t := n.join; t != nil {
		t.mu.Lock()
		t.joiners = append(t.joiners, n)
		t.mu.Unlock()
	}
	return n, nil
}

// resolveMode finds how the container gets its namespace and, on a
// network, which one.
func (n *ContainerNet) resolveMode(cs spec.Container) error {
	mode := cs.Network
	switch {
	case mode == "none":
		n.kind = netNone
	case mode == "host":
		n.kind = netHost
	case strings.HasPrefix(mode, "container:"):
		target, err := n.scope.Container(strings.TrimPrefix(mode, "container:"))
		if err != nil {
			return err
		}
		n.kind, n.join = netContainer, target
	default:
		if mode == "" || mode == "default" {
			mode = defaultBridge
		}
		rec, err := n.scope.Network(mode)
		if err != nil {
			return err
		}
		a := &attachment{net: rec, aliases: slices.Clone(cs.Aliases)}
		if a.ip, err = spec.CheckIP(cs.IP, spec.IPNetwork{Name: mode, User: a.isUser(), UserSubnet: rec.UserSubnet}); err != nil {
			return err
		}
		n.nets = []*attachment{a}
	}
	return nil
}

// defaultBridge is the scenario's name of the network containers are on
// by default.
const defaultBridge = "bridge"

func (n *ContainerNet) defaultHostname(asked string) string {
	switch {
	case asked != "":
		return asked
	case n.kind == netContainer:
		return n.join.hostname
	case n.kind == netHost:
		if h, err := os.Hostname(); err == nil {
			return h
		}
	}
	return n.id[:12]
}

// Hostname is the container's hostname: the one asked for, the joined
// container's, the host's (network="host") or the short id.
func (n *ContainerNet) Hostname() string { return n.hostname }

// EtcDir is the directory whose hostname, hosts and resolv.conf the
// container sees: a container that joins another's namespace sees that
// one's.
func (n *ContainerNet) EtcDir() string {
	if n.kind == netContainer {
		return n.join.dir
	}
	return n.dir
}

// Namespace says where a starting container's network namespace comes
// from; the zero value is a new one.
type Namespace struct {
	Host bool   // the host's own
	Join string // another container's, at this path
}

// Verify checks, before each start, that the namespace can be had: a
// container whose namespace this one joins must be running.
func (n *ContainerNet) Verify() (Namespace, error) {
	switch n.kind {
	case netHost:
		return Namespace{Host: true}, nil
	case netContainer:
		p := n.join.live.Load()
		if p == nil {
			return Namespace{}, errorf(ErrNotRunning, "cannot join network of a non running container: %s", n.join.id)
		}
		return Namespace{Join: *p}, nil
	}
	return Namespace{}, nil
}

// Close is the container's removal: a container made with
// network="container:NAME" leaves NAME's list of joiners.
func (n *ContainerNet) Close() {
	t := n.join
	if t == nil {
		return
	}
	t.mu.Lock()
	t.joiners = slices.DeleteFunc(t.joiners, func(j *ContainerNet) bool { return j == n })
	t.mu.Unlock()
}
