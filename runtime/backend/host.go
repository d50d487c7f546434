package backend

import (
	"context"

	"berth/runtime/spec"
)

// Host is the machine a backend runs containers on.
type Host interface {
	// Info is what limits are checked against (--cpus, --cpuset-cpus).
	Info() spec.Host
	// CreateVethPair creates a veth pair on the host, both ends up and
	// without addresses: a stand-in for a physical network (the parent of
	// a macvlan network) that is never the host's own uplink
	// (host.veth_pair).
	CreateVethPair(ctx context.Context) (VethPair, error)
	// RemoveVethPair deletes both ends; a pair already gone is not an
	// error.
	RemoveVethPair(ctx context.Context, p VethPair) error
}

// VethPair names the two ends of a veth pair.
type VethPair struct {
	A, B string
}
