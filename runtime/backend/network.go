package backend

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// NetworkStore is a backend's networks, by the names they are stored
// under. The sandbox gives scenario networks private names and keeps the
// map from the scenario's names.
type NetworkStore interface {
	// CreateNetwork creates a network named ns.Name (docker network
	// create), with Docker's texts for a taken name (ErrNetworkExists)
	// and bad addresses (ErrInvalid).
	CreateNetwork(ctx context.Context, ns NetworkSpec) (NetworkInfo, error)
	// Network finds a network by stored name or full id (NoSuchNetwork).
	// The NetworkInfo's Name is the stored name: the sandbox renames it.
	Network(ctx context.Context, ref string) (NetworkInfo, error)
	// NetworkEndpoints lists the containers on the network now.
	NetworkEndpoints(ctx context.Context, id string) ([]EndpointInfo, error)
	// RemoveNetwork removes the network n.ID (docker network rm), refused
	// with ErrActiveEndpoints while containers are on it. Messages name
	// it n.Name, the scenario's name.
	RemoveNetwork(ctx context.Context, n NetworkInfo) error
}

// Predefined network names: Docker's three networks that always exist.
const (
	NetworkBridge = "bridge"
	NetworkHost   = "host"
	NetworkNone   = "none"
)

// NetworkOptions are network create's options.
type NetworkOptions struct {
	Driver                   string // "bridge" (the default) or "macvlan"
	Subnet, Gateway, IPRange string // "" to let the backend choose
	Options, Labels          map[string]string
	Internal                 bool
}

// NetworkSpec is a network for the backend to create.
type NetworkSpec struct {
	Name string // the stored name
	NetworkOptions
	// Default marks a file's default bridge: no embedded DNS, no
	// aliases, as Docker's "bridge".
	Default bool
}

// NetworkInfo is a network as the scenario sees it.
type NetworkInfo struct {
	// Name is the scenario's name for it; StoredName the backend's ("" for
	// host and none, which are not stored).
	Name       string
	StoredName string
	ID         string // 64 hex digits; "host" and "none" for those
	Driver     string // "bridge", "macvlan", "host" or "null"
	// Subnet, Gateway and IPRange are "" when the network has none.
	Subnet, Gateway, IPRange string
	// UserSubnet is set when the subnet was given at create: only then
	// does Docker accept --ip.
	UserSubnet bool
	Internal   bool
	Options    map[string]string
	Labels     map[string]string
	Created    time.Time
	// Default marks the file's default bridge, Predefined host and none.
	Default    bool
	Predefined bool
}

// User reports whether the network was created by a scenario: it has the
// embedded DNS and takes aliases and --ip.
func (n NetworkInfo) User() bool { return !n.Predefined && !n.Default }

// predefinedNetwork is host or none, which have no record.
func predefinedNetwork(name string) NetworkInfo {
	driver := name
	if name == NetworkNone {
		driver = "null"
	}
	return NetworkInfo{Name: name, ID: name, Driver: driver, Predefined: true}
}

// EndpointInfo is a container's place on a network.
type EndpointInfo struct {
	ContainerID   string
	ContainerName string
	MAC           string
	Address       string // "172.18.0.2/16"
}

// EndpointID is a stable 64-hex id for a container's endpoint on a
// network, as Docker shows one.
func EndpointID(networkID, containerID string) string {
	sum := sha256.Sum256([]byte(networkID + "/" + containerID))
	return hex.EncodeToString(sum[:])
}

// InspectNetwork is docker network inspect's document of n with the
// endpoints eps.
func InspectNetwork(n NetworkInfo, eps []EndpointInfo) map[string]any {
	config := []any{}
	if n.Subnet != "" {
		c := map[string]any{"Subnet": n.Subnet, "Gateway": n.Gateway}
		if n.IPRange != "" {
			c["IPRange"] = n.IPRange
		}
		config = append(config, c)
	}
	containers := map[string]any{}
	for _, ep := range eps {
		containers[ep.ContainerID] = map[string]any{
			"Name":        ep.ContainerName,
			"EndpointID":  EndpointID(n.ID, ep.ContainerID),
			"MacAddress":  ep.MAC,
			"IPv4Address": ep.Address,
			"IPv6Address": "",
		}
	}
	return map[string]any{
		"Name":       n.Name,
		"Id":         n.ID,
		"Created":    DockerTime(n.Created),
		"Scope":      "local",
		"Driver":     n.Driver,
		"EnableIPv6": false,
		"IPAM": map[string]any{
			"Driver":  "default",
			"Options": map[string]any{},
			"Config":  config,
		},
		"Internal":   n.Internal,
		"Attachable": false,
		"Containers": containers,
		"Options":    StringMap(n.Options),
		"Labels":     StringMap(n.Labels),
	}
}
