// Package dns is berth's embedded DNS server: the resolver that containers on
// user networks reach at 127.0.0.11, answering with the names, aliases and
// short ids of the containers that share a network with the asker.
//
// One Table holds the membership of every network in the engine; one Server
// per container answers that container's queries from it, so what a container
// can resolve always follows from the networks it is on at that moment.
package dns

import (
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strings"
	"sync"

	miekg "github.com/miekg/dns"
)

// Endpoint is one container's attachment to one network, as seen by DNS.
type Endpoint struct {
	ContainerID string     // 64 hex digits; its first 12 are a resolvable name
	Name        string     // the container's name, without Docker's leading "/"
	Aliases     []string   // network-scoped aliases
	Addr        netip.Addr // the container's address on this network
	// Links maps --link aliases to container names: names that only this
	// endpoint's container resolves (to the named container's address on
	// the same network), as Docker does for links on user networks.
	Links map[string]string
}

// shortIDLen is how many leading hex digits of a container id resolve as a
// name (Docker's short id).
const shortIDLen = 12

var containerIDPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Table is the membership of every network: which endpoints are on it, in
// the order they joined. It is safe for concurrent use; every Server of the
// engine reads the one Table, so a Join or Leave is seen by the next query.
type Table struct {
	mu       sync.RWMutex
	seq      uint64                // join counter, orders members across networks
	networks map[string]*network   // by network name, exact
	joined   map[string][]*network // container id -> its networks, in join order
}

type network struct {
	name    string
	lower   string // for "<name>.<network>" queries, which are case-insensitive
	members []member
}

type member struct {
	seq  uint64
	ep   Endpoint
	keys []string // lower-cased name, aliases and short id: the names that match (copied, so the caller may reuse ep.Aliases)
}

// NewTable returns an empty table.
func NewTable() *Table {
	return &Table{networks: map[string]*network{}, joined: map[string][]*network{}}
}

// Join puts ep on network. Joining again with the same container id replaces
// that endpoint (its aliases or address) but keeps its place in the order.
func (t *Table) Join(networkName string, ep Endpoint) error {
	if err := validate(networkName, ep); err != nil {
		return err
	}
	ep.Addr = ep.Addr.Unmap()
	keys := make([]string, 0, 2+len(ep.Aliases))
	keys = append(keys, strings.ToLower(ep.Name), ep.ContainerID[:shortIDLen])
	for _, a := range ep.Aliases {
		keys = append(keys, strings.ToLower(a))
	}
	if len(ep.Links) > 0 {
		links := make(map[string]string, len(ep.Links))
		for alias, target := range ep.Links {
			links[strings.ToLower(alias)] = strings.ToLower(target)
		}
		ep.Links = links
	}

	t.mu.Lock()
	defer t.mu.Unlock()
	n := t.networks[networkName]
	if n == nil {
		n = &network{name: networkName, lower: strings.ToLower(networkName)}
		t.networks[networkName] = n
	}
	for i := range n.members {
		if n.members[i].ep.ContainerID == ep.ContainerID {
			n.members[i].ep, n.members[i].keys = ep, keys
			return nil
		}
	}
	t.seq++
	n.members = append(n.members, member{seq: t.seq, ep: ep, keys: keys})
	t.joined[ep.ContainerID] = append(t.joined[ep.ContainerID], n)
	return nil
}

// Leave takes the container off network. Leaving a network the container is
// not on does nothing, so callers can clean up without checking first.
func (t *Table) Leave(networkName, containerID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := t.networks[networkName]
	if n == nil {
		return
	}
	for i := range n.members {
		if n.members[i].ep.ContainerID == containerID {
			n.members = append(n.members[:i], n.members[i+1:]...)
			break
		}
	}
	if len(n.members) == 0 {
		delete(t.networks, networkName)
	}
	nets := t.joined[containerID]
	for i := range nets {
		if nets[i] == n {
			nets = append(nets[:i], nets[i+1:]...)
			break
		}
	}
	if len(nets) == 0 {
		delete(t.joined, containerID)
	} else {
		t.joined[containerID] = nets
	}
}

// LeaveAll takes the container off every network, as when it stops.
func (t *Table) LeaveAll(containerID string) {
	t.mu.RLock()
	var names []string
	for _, n := range t.joined[containerID] {
		names = append(names, n.name)
	}
	t.mu.RUnlock()
	for _, name := range names {
		t.Leave(name, containerID)
	}
}

// Lookup returns the addresses that name resolves to for the container
// asker: every endpoint, on the networks asker is on, whose container name,
// alias or short id is name, or whose "<that>.<network>" is name. Matching
// ignores case and a trailing dot. Addresses come in join order, each once.
// No match gives nil.
func (t *Table) Lookup(asker, name string) []netip.Addr {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	if name == "" {
		return nil
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	var found []member
	for _, n := range t.joined[asker] {
		scoped := "" // name with ".<network>" cut off, when it ends so
		if rest, ok := strings.CutSuffix(name, "."+n.lower); ok {
			scoped = rest
		}
		want := name
		if target, ok := n.linkOf(asker, name); ok {
			want = target
		}
		for _, m := range n.members {
			if m.matches(want) || (scoped != "" && m.matches(scoped)) {
				found = append(found, m)
			}
		}
	}
	if len(found) == 0 {
		return nil
	}
	// Each network's members are already in join order; only matches from
	// several networks need merging.
	sort.SliceStable(found, func(i, j int) bool { return found[i].seq < found[j].seq })
	addrs := make([]netip.Addr, 0, len(found))
	for _, m := range found {
		if !containsAddr(addrs, m.ep.Addr) {
			addrs = append(addrs, m.ep.Addr)
		}
	}
	return addrs
}

// LookupAddr returns "<container name>.<network>." for the endpoint holding
// addr on one of the networks asker is on (the first such network asker
// joined), and false when there is none.
func (t *Table) LookupAddr(asker string, addr netip.Addr) (string, bool) {
	addr = addr.Unmap()
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, n := range t.joined[asker] {
		for _, m := range n.members {
			if m.ep.Addr == addr {
				return m.ep.Name + "." + n.name + ".", true
			}
		}
	}
	return "", false
}

// linkOf returns the container name that name stands for as a --link
// alias of asker on this network.
func (n *network) linkOf(asker, name string) (string, bool) {
	for _, m := range n.members {
		if m.ep.ContainerID == asker {
			target, ok := m.ep.Links[name]
			return target, ok
		}
	}
	return "", false
}

func (m *member) matches(name string) bool {
	for _, k := range m.keys {
		if k == name {
			return true
		}
	}
	return false
}

func containsAddr(addrs []netip.Addr, a netip.Addr) bool {
	for _, b := range addrs {
		if a == b {
			return true
		}
	}
	return false
}

func validate(networkName string, ep Endpoint) error {
	if networkName == "" {
		return fmt.Errorf("join network: empty network name")
	}
	if !containerIDPattern.MatchString(ep.ContainerID) {
		return fmt.Errorf("join network %q: container id %q: want 64 lower-case hex digits", networkName, ep.ContainerID)
	}
	if !ep.Addr.IsValid() {
		return fmt.Errorf("join network %q: container %.12s has no address", networkName, ep.ContainerID)
	}
	if err := validName(ep.Name); err != nil {
		return fmt.Errorf("join network %q: container %.12s: name: %w", networkName, ep.ContainerID, err)
	}
	for _, a := range ep.Aliases {
		if err := validName(a); err != nil {
			return fmt.Errorf("join network %q: container %.12s: alias: %w", networkName, ep.ContainerID, err)
		}
	}
	return nil
}

// validName accepts what a DNS query can ask for: a non-empty, relative
// domain name.
func validName(name string) error {
	if name == "" || strings.HasSuffix(name, ".") || strings.HasPrefix(name, ".") {
		return fmt.Errorf("%q: want a non-empty name that does not start or end with a dot", name)
	}
	if _, ok := miekg.IsDomainName(name); !ok {
		return fmt.Errorf("%q: not a valid domain name", name)
	}
	return nil
}
