package engine

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"berth/runtime/network"
	"berth/runtime/network/dns"
	"berth/runtime/spec"
)

// ErrNoSuchNetwork classifies a network that does not exist.
var ErrNoSuchNetwork = network.ErrNotFound

// Network is a network as a sandbox sees it. Networks a scenario creates
// are stored under a name private to its sandbox; Name is the name the
// scenario chose.
type Network struct {
	Name string
	rec  network.Record
	// predefined is "host" or "none": those have no record.
	predefined string
}

// ID is the network's 64-hex id.
func (n Network) ID() string {
	if n.predefined != "" {
		return n.predefined
	}
	return n.rec.ID
}

// Driver is "bridge", "macvlan", "host" or "null".
func (n Network) Driver() string {
	switch n.predefined {
	case "host":
		return "host"
	case "none":
		return "null"
	}
	return n.rec.Driver
}

// Subnet and Gateway are the network's addresses ("" for host and none).
func (n Network) Subnet() string  { return prefixString(n.rec.Subnet) }
func (n Network) Gateway() string { return addrString(n.rec.Gateway) }

// IsUser reports whether the network was created by a scenario (it has
// the embedded DNS and takes aliases).
func (n Network) IsUser() bool { return n.predefined == "" && !n.rec.Default }

// shown is the record with the scenario's name, for the manager's
// messages.
func (n Network) shown() network.Record {
	r := n.rec
	r.Name = n.Name
	return r
}

// NetworkOptions are network create's options.
type NetworkOptions struct {
	Driver                   string
	Subnet, Gateway, IPRange string
	Options, Labels          map[string]string
	Internal                 bool
}

// defaultBridge is the name of the network containers are on by default.
const defaultBridge = "bridge"

// predefinedNetworks are Docker's three networks that always exist.
var predefinedNetworks = []string{defaultBridge, "host", "none"}

// defaultBridge returns the file's default bridge, creating it on first
// use. Each top-level sandbox (a scenario file) has its own, on its own
// host bridge and subnet, so the addresses a file sees are the same
// whatever runs beside it: .2, .3, .4 in the order it starts containers.
func (s *Sandbox) defaultBridge() (Network, error) {
	root := s.root()
	root.bridgeMu.Lock()
	defer root.bridgeMu.Unlock()
	if root.bridge == nil {
		// Close marks the sandbox closed before it takes bridgeMu.
		if err := root.checkOpen("default bridge"); err != nil {
			return Network{}, err
		}
		rec, err := s.e.nets.Create(network.CreateSpec{Name: root.scopedName(defaultBridge), Driver: network.DriverBridge, Default: true})
		if err != nil {
			return Network{}, fmt.Errorf("default bridge: %w", err)
		}
		root.bridge = &rec
	}
	return Network{Name: defaultBridge, rec: *root.bridge}, nil
}

// closeDefaultBridge removes the file's default bridge once its
// containers are gone.
func (s *Sandbox) closeDefaultBridge() error {
	s.bridgeMu.Lock()
	defer s.bridgeMu.Unlock()
	if s.bridge == nil {
		return nil
	}
	rec := *s.bridge
	rec.Name = defaultBridge
	if err := s.e.nets.Remove(rec); err != nil {
		return err
	}
	s.bridge = nil
	return nil
}

func (s *Sandbox) root() *Sandbox {
	root := s
	for root.parent != nil {
		root = root.parent
	}
	return root
}

// CreateNetwork creates a user network (docker network create).
func (s *Sandbox) CreateNetwork(name string, opts NetworkOptions) (Network, error) {
	if err := spec.CheckNetworkName(name); err != nil {
		return Network{}, err
	}
	if err := spec.CheckNetworkOptions(opts.Driver, opts.Options); err != nil {
		return Network{}, err
	}
	if err := s.checkOpen(fmt.Sprintf("create network %q", name)); err != nil {
		return Network{}, err
	}
	if _, err := s.Network(name); err == nil {
		return Network{}, errorf(network.ErrExists, "network with name %s already exists", name)
	}
	rec, err := s.e.nets.Create(network.CreateSpec{
		Name: s.scopedName(name), Driver: opts.Driver, Subnet: opts.Subnet, Gateway: opts.Gateway,
		IPRange: opts.IPRange, Options: opts.Options, Labels: opts.Labels, Internal: opts.Internal,
	})
	if err != nil {
		return Network{}, err
	}
	s.mu.Lock()
	if s.closed { // closed while the network was made: Close has missed it
		s.mu.Unlock()
		rec.Name = name
		return Network{}, errors.Join(s.closedError(fmt.Sprintf("create network %q", name)), s.e.nets.Remove(rec))
	}
	s.networks[name] = rec.Name
	s.networkOrder = append(s.networkOrder, name)
	s.mu.Unlock()
	return Network{Name: name, rec: rec}, nil
}

// Network finds a network by the name the scenario knows it by (or by id).
func (s *Sandbox) Network(name string) (Network, error) {
	switch name {
	case defaultBridge:
		return s.defaultBridge()
	case "host", "none":
		return Network{Name: name, predefined: name}, nil
	}
	var byID []Network
	for sb := s; sb != nil; sb = sb.parent {
		sb.mu.Lock()
		stored, ok := sb.networks[name]
		all := maps.Clone(sb.networks)
		sb.mu.Unlock()
		if ok {
			rec, err := s.e.nets.Get(stored)
			if err != nil {
				return Network{}, errorf(ErrNoSuchNetwork, "network %s not found", name)
			}
			return Network{Name: name, rec: rec}, nil
		}
		if len(name) < 12 {
			continue
		}
		for visible, st := range all {
			if rec, err := s.e.nets.Get(st); err == nil && strings.HasPrefix(rec.ID, name) {
				byID = append(byID, Network{Name: visible, rec: rec})
			}
		}
	}
	if len(byID) == 1 {
		return byID[0], nil
	}
	return Network{}, errorf(ErrNoSuchNetwork, "network %s not found", name)
}

// Networks lists the predefined networks and those the sandbox (and its
// parent) created, by name.
func (s *Sandbox) Networks() ([]Network, error) {
	seen := map[string]Network{}
	for _, name := range predefinedNetworks {
		n, err := s.Network(name)
		if err != nil {
			return nil, err
		}
		seen[name] = n
	}
	for sb := s; sb != nil; sb = sb.parent {
		sb.mu.Lock()
		names := slices.Collect(maps.Keys(sb.networks))
		sb.mu.Unlock()
		for _, name := range names {
			if _, ok := seen[name]; ok {
				continue
			}
			if n, err := s.Network(name); err == nil {
				seen[name] = n
			}
		}
	}
	return slices.SortedFunc(maps.Values(seen), func(a, b Network) int { return strings.Compare(a.Name, b.Name) }), nil
}

// RemoveNetwork removes a network without containers (docker network rm).
func (s *Sandbox) RemoveNetwork(name string) error {
	if slices.Contains(predefinedNetworks, name) {
		return errorf(network.ErrInvalid, "%s is a pre-defined network and cannot be removed", name)
	}
	n, err := s.Network(name)
	if err != nil {
		return err
	}
	if err := s.e.nets.Remove(n.shown()); err != nil {
		return err
	}
	for sb := s; sb != nil; sb = sb.parent {
		sb.mu.Lock()
		delete(sb.networks, n.Name)
		sb.networkOrder = slices.DeleteFunc(sb.networkOrder, func(x string) bool { return x == n.Name })
		sb.mu.Unlock()
	}
	return nil
}

// closeNetworks removes the networks the sandbox created, newest first.
func (s *Sandbox) closeNetworks() error {
	s.mu.Lock()
	order := slices.Clone(s.networkOrder)
	s.mu.Unlock()
	var errs []error
	for i := len(order) - 1; i >= 0; i-- {
		if err := s.RemoveNetwork(order[i]); err != nil && !errors.Is(err, ErrNoSuchNetwork) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// dnsTable is the membership table of the embedded DNS for this sandbox's
// file: one per top-level sandbox, so networks of files running in
// parallel never mix even when they share a name.
func (s *Sandbox) dnsTable() *dns.Table {
	root := s.root()
	root.mu.Lock()
	defer root.mu.Unlock()
	if root.table == nil {
		root.table = dns.NewTable()
	}
	return root.table
}

// Inspect returns docker network inspect's document.
func (n Network) Inspect(containers map[string]any) map[string]any {
	config := []any{}
	if n.rec.Subnet.IsValid() {
		c := map[string]any{"Subnet": n.Subnet(), "Gateway": n.Gateway()}
		if n.rec.IPRange.IsValid() {
			c["IPRange"] = n.rec.IPRange.String()
		}
		config = append(config, c)
	}
	opts := n.rec.Options
	if opts == nil {
		opts = map[string]string{}
	}
	labels := n.rec.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	return map[string]any{
		"Name":       n.Name,
		"Id":         n.ID(),
		"Created":    dockerTime(n.rec.Created),
		"Scope":      "local",
		"Driver":     n.Driver(),
		"EnableIPv6": false,
		"IPAM": map[string]any{
			"Driver":  "default",
			"Options": map[string]any{},
			"Config":  config,
		},
		"Internal":   n.rec.Internal,
		"Attachable": false,
		"Containers": containers,
		"Options":    strMap(opts),
		"Labels":     strMap(labels),
	}
}

// InspectNetwork is Inspect with the live containers of the network.
func (s *Sandbox) InspectNetwork(name string) (map[string]any, error) {
	n, err := s.Network(name)
	if err != nil {
		return nil, err
	}
	containers := map[string]any{}
	if n.predefined == "" {
		eps, err := s.e.nets.Endpoints(n.rec.ID)
		if err != nil {
			return nil, err
		}
		for _, ep := range eps {
			containers[ep.ContainerID] = map[string]any{
				"Name":        ep.ContainerName,
				"EndpointID":  network.EndpointID(n.ID(), ep.ContainerID),
				"MacAddress":  ep.MAC,
				"IPv4Address": fmt.Sprintf("%s/%d", ep.Addr, ep.PrefixLen),
				"IPv6Address": "",
			}
		}
	}
	return n.Inspect(containers), nil
}

// Networks is the root's network manager, for the command line and tests.
func (e *Engine) Networks() *network.Manager { return e.nets }
