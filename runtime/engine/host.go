package engine

import (
	"context"

	"berth/runtime/backend"
	"berth/runtime/spec"
)

// Host is the machine the engine runs containers on: this one.
func (e *Engine) Host() backend.Host { return host{e} }

type host struct{ e *Engine }

func (h host) Info() spec.Host { return h.e.host }

// CreateVethPair creates a veth pair on the host, both ends up, marked for
// berth gc with this process as owner (host.veth_pair).
func (h host) CreateVethPair(ctx context.Context) (backend.VethPair, error) {
	a, b, err := h.e.nets.CreateVethPair()
	if err != nil {
		return backend.VethPair{}, err
	}
	return backend.VethPair{A: a, B: b}, nil
}

// RemoveVethPair deletes the pair (deleting one end deletes both).
func (h host) RemoveVethPair(ctx context.Context, p backend.VethPair) error {
	return h.e.nets.RemoveVethPair(p.A)
}
