package engine

import (
	"context"
	"fmt"

	"berth/runtime/backend"
	"berth/runtime/network"
	"berth/runtime/network/dns"
)

// CreateNetwork creates a network stored under ns.Name (docker network
// create).
func (e *Engine) CreateNetwork(ctx context.Context, ns backend.NetworkSpec) (backend.NetworkInfo, error) {
	rec, err := e.nets.Create(network.CreateSpec{
		Name: ns.Name, Driver: ns.Driver, Subnet: ns.Subnet, Gateway: ns.Gateway, IPRange: ns.IPRange,
		Options: ns.Options, Labels: ns.Labels, Internal: ns.Internal, Default: ns.Default,
	})
	if err != nil {
		return backend.NetworkInfo{}, classify(err)
	}
	e.remember(rec)
	return rec.Info(), nil
}

// Network finds a network by stored name or id.
func (e *Engine) Network(ctx context.Context, ref string) (backend.NetworkInfo, error) {
	rec, err := e.nets.Get(ref)
	if err != nil {
		return backend.NetworkInfo{}, classify(err)
	}
	e.remember(rec)
	return rec.Info(), nil
}

// NetworkEndpoints lists the containers on the network now.
func (e *Engine) NetworkEndpoints(ctx context.Context, id string) ([]backend.EndpointInfo, error) {
	eps, err := e.nets.Endpoints(id)
	if err != nil {
		return nil, classify(err)
	}
	out := make([]backend.EndpointInfo, 0, len(eps))
	for _, ep := range eps {
		out = append(out, ep.Info())
	}
	return out, nil
}

// RemoveNetwork removes a network without containers (docker network rm).
func (e *Engine) RemoveNetwork(ctx context.Context, n backend.NetworkInfo) error {
	rec, err := e.record(n)
	if err != nil {
		return err
	}
	if err := e.nets.Remove(rec); err != nil {
		return classify(err)
	}
	e.mu.Lock()
	delete(e.records, rec.ID)
	e.mu.Unlock()
	return nil
}

// Networks is the root's network manager, for the command line and tests.
func (e *Engine) Networks() *network.Manager { return e.nets }

// remember keeps a network's record, which the seam's NetworkInfo does
// not carry all of (its host device), for record.
func (e *Engine) remember(rec network.Record) {
	e.mu.Lock()
	e.records[rec.ID] = rec
	e.mu.Unlock()
}

// record is the network manager's record of n, under the scenario's name
// (the manager's messages use it). Host and none have none.
func (e *Engine) record(n backend.NetworkInfo) (network.Record, error) {
	if n.Predefined {
		return network.Record{Name: n.Name}, nil
	}
	e.mu.Lock()
	rec, ok := e.records[n.ID]
	e.mu.Unlock()
	if !ok {
		var err error
		if rec, err = e.nets.Get(n.ID); err != nil {
			return network.Record{}, backend.NoSuchNetwork(n.Name)
		}
	}
	rec.Name = n.Name
	return rec, nil
}

// ConnectNetwork attaches the container to another network (docker
// network connect); a running container gets the next ethN at once.
func (c *Container) ConnectNetwork(ctx context.Context, n backend.NetworkInfo, opts backend.EndpointOptions) error {
	rec, err := c.e.record(n)
	if err != nil {
		return err
	}
	return classify(c.net.Connect(rec, n.Predefined, network.EndpointOptions{Aliases: opts.Aliases, IP: opts.IP}))
}

// DisconnectNetwork detaches the container from a network (docker network
// disconnect).
func (c *Container) DisconnectNetwork(ctx context.Context, n backend.NetworkInfo) error {
	rec, err := c.e.record(n)
	if err != nil {
		return err
	}
	return classify(c.net.Disconnect(rec))
}

// netScope is what a container's networking (runtime/network) sees of
// its sandbox: networks and containers by the scenario's names, and the
// file's DNS table.
type netScope struct {
	e     *Engine
	scope backend.Scope
	ctx   context.Context
	dns   *network.HeldDNS
}

func (n netScope) Network(name string) (network.Record, error) {
	info, err := n.scope.Network(n.ctx, name)
	if err != nil {
		return network.Record{}, err
	}
	return n.e.record(info)
}

func (n netScope) Container(ref string) (*network.ContainerNet, error) {
	c, err := n.scope.Lookup(ref)
	if err != nil {
		return nil, err
	}
	ec, ok := c.(*Container)
	if !ok {
		return nil, fmt.Errorf("container %s is not the embedded engine's", ref)
	}
	return ec.net, nil
}

func (n netScope) DNS() *dns.Table { return n.dns.Table() }
