// Package portproxy is berth's userland proxy for published ports (`-p`),
// the in-process counterpart of docker-proxy: it listens on a host address
// and forwards TCP connections and UDP datagrams to a container's address.
// There is no NAT: every byte goes through the berth process.
package portproxy

import (
	"errors"

	"berth/runtime/kinderr"
	"berth/runtime/spec"
)

// Mapping is one published port in its parsed form. The -p rule and its
// texts live once, in spec.ParsePortMapping.
type Mapping = spec.PortMapping

// Protocols a Mapping can publish.
const (
	ProtoTCP = spec.ProtoTCP
	ProtoUDP = spec.ProtoUDP
)

// ErrInvalidSpec marks a mapping that cannot be started (a backend address
// that is no container's). It is reachable with errors.Is.
var ErrInvalidSpec = errors.New("invalid port mapping")

func specErrorf(format string, args ...any) error {
	return kinderr.Errorf(ErrInvalidSpec, format, args...)
}
