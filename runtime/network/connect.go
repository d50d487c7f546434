package network

import (
	"slices"

	"berth/runtime/spec"
)

// EndpointOptions are network connect's options.
type EndpointOptions struct {
	Aliases []string
	IP      string // --ip; "" to allocate
}

// Connect attaches the container to another network (docker network
// connect); a running container gets the next ethN at once. net carries
// the scenario's name for it; predefined marks host and none, which have
// no record and which nothing connects to.
func (n *ContainerNet) Connect(net Record, predefined bool, opts EndpointOptions) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch n.kind {
	case netNone, netHost, netContainer:
		return errorf(spec.ErrInvalid, "container sharing network namespace with another container or host cannot be connected to any other network: got container %s (network %q) and network %s", n.name, n.mode, net.Name)
	}
	if predefined {
		return errorf(spec.ErrInvalid, "container cannot be disconnected from host network or connected to host network: got network %s", net.Name)
	}
	for _, a := range n.nets {
		if a.net.ID == net.ID {
			return errorf(ErrConnected, "endpoint with name %s already exists in network %s", n.name, net.Name)
		}
	}
	a := &attachment{net: net, aliases: slices.Clone(opts.Aliases)}
	var err error
	if a.ip, err = spec.CheckEndpoint(spec.IPNetwork{Name: net.Name, User: a.isUser(), UserSubnet: net.UserSubnet}, opts.Aliases, opts.IP); err != nil {
		return err
	}
	n.nets = append(n.nets, a)
	if n.nsPath != "" {
		err := n.connectLocked(a, n.nsPath, len(n.nets) == 1)
		if err == nil {
			err = n.ensureDNSLocked(n.nsPath)
		}
		if err != nil {
			if a.ep != nil {
				_ = n.m.Disconnect(a.net, n.id, n.nsPath)
				n.scope.DNS().Leave(a.net.Name, n.id)
			}
			n.nets = n.nets[:len(n.nets)-1]
			return err
		}
	}
	return nil
}

// Disconnect detaches the container from a network (docker network
// disconnect).
func (n *ContainerNet) Disconnect(net Record) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	i := slices.IndexFunc(n.nets, func(a *attachment) bool { return a.net.ID == net.ID })
	if i < 0 {
		return errorf(ErrNotConnected, "container %s is not connected to network %s", n.id, net.Name)
	}
	a := n.nets[i]
	if a.ep != nil {
		if err := n.m.Disconnect(a.net, n.id, n.nsPath); err != nil {
			return err
		}
		a.ep = nil
		if a.isUser() {
			n.scope.DNS().Leave(a.net.Name, n.id)
		}
	}
	n.nets = slices.Delete(n.nets, i, i+1)
	return nil
}
