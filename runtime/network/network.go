// Package network manages berth's networks on the host: their records
// under the root, their bridges, and the endpoints (addresses and links)
// of containers on them. It keeps state on disk under file locks, because
// the default bridge is shared by every berth process using the root, and
// so that `berth gc` can remove what a killed run left.
//
// The pieces it composes live in subpackages: ipam (addresses), netdev
// (links), dns (the embedded server) and portproxy (published ports).
// ContainerNet puts them together for one container, from create to
// remove, so the engine only calls it at the lifecycle's points.
package network

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/vishvananda/netlink"

	"berth/runtime/hostmark"
	"berth/runtime/kinderr"
	"berth/runtime/network/ipam"
	"berth/runtime/network/netdev"
	"berth/runtime/store"
)

// Drivers.
const (
	DriverBridge  = "bridge"
	DriverMacvlan = "macvlan"
)

// Host device names: "br-<first 12 of id>" for user bridges, as Docker
// names them, and "berth<first 8 of id>" for a default bridge.
const (
	userBridgePrefix    = "br-"
	defaultBridgePrefix = "berth"
)

// hostLock serialises, across every berth process and root on the
// machine, picking a subnet and creating the bridge that claims it: two
// roots picking at once would otherwise both take the first free pool.
const hostLock = "/run/lock/berth-networks.lock"

// Sentinel errors callers branch on.
var (
	ErrNotFound        = errors.New("no such network")
	ErrExists          = errors.New("network exists")
	ErrActiveEndpoints = errors.New("network has active endpoints")
	ErrInvalid         = errors.New("invalid network configuration")
	ErrConnected       = errors.New("already connected")
	ErrNotConnected    = errors.New("not connected")
)

func errorf(kind error, format string, args ...any) error {
	return kinderr.Errorf(kind, format, args...)
}

// Record is a network as stored in <root>/networks/<id>/network.json.
type Record struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Driver     string            `json:"driver"`
	Subnet     netip.Prefix      `json:"subnet"`
	Gateway    netip.Addr        `json:"gateway"`
	IPRange    netip.Prefix      `json:"ip_range,omitzero"`
	UserSubnet bool              `json:"user_subnet,omitempty"`
	Options    map[string]string `json:"options,omitempty"`
	Labels     map[string]string `json:"labels,omitempty"`
	Internal   bool              `json:"internal,omitempty"`
	// Default marks a sandbox's default bridge ("bridge" in scenarios):
	// no embedded DNS, no aliases, no --ip.
	Default bool      `json:"default,omitempty"`
	Created time.Time `json:"created"`
	// Owner is the berth process that made it ("pid:starttime").
	Owner string `json:"owner,omitempty"`
	// Device is the bridge on the host, or the macvlan parent.
	Device string `json:"device"`
}

// IPAM is the record's address configuration.
func (r Record) IPAM() ipam.Config {
	return ipam.Config{Subnet: r.Subnet, Gateway: r.Gateway, IPRange: r.IPRange, UserSubnet: r.UserSubnet}
}

// Endpoint is one container's attachment, stored in the network's
// endpoints directory.
type Endpoint struct {
	ContainerID   string     `json:"container_id"`
	ContainerName string     `json:"container_name"`
	Addr          netip.Addr `json:"addr"`
	PrefixLen     int        `json:"prefix_len"`
	MAC           string     `json:"mac"`
	IfName        string     `json:"if_name"`
	Aliases       []string   `json:"aliases,omitempty"`
	HostVeth      string     `json:"host_veth,omitempty"`
	Owner         string     `json:"owner"`
}

// Manager is the networks of one root, seen by one berth process.
type Manager struct {
	dir   string
	host  *netlink.Handle
	owner string
	alive func(owner string) bool
	// rootID names the root in the marks of the bridges (see hostmark).
	rootID string
}

// Open prepares <dir> (the root's networks directory). owner identifies
// this process in records; alive tells whether an owner still runs.
func Open(dir, owner string, alive func(owner string) bool) (*Manager, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	h, err := netlink.NewHandle()
	if err != nil {
		return nil, fmt.Errorf("open netlink: %w", err)
	}
	return &Manager{dir: dir, host: h, owner: owner, alive: alive, rootID: hostmark.RootID(filepath.Dir(dir))}, nil
}

// Close releases the netlink handle.
func (m *Manager) Close() { m.host.Close() }

// Host is the handle on the host's network namespace.
func (m *Manager) Host() *netlink.Handle { return m.host }

func (m *Manager) lockAll() (*store.Lock, error) {
	return store.LockFile(filepath.Join(m.dir, ".lock"))
}

func (m *Manager) netDir(id string) string { return filepath.Join(m.dir, id) }

// CreateSpec is what network create was asked for.
type CreateSpec struct {
	Name                     string // as stored (the engine scopes it)
	Driver                   string // "" = bridge
	Subnet, Gateway, IPRange string
	Options, Labels          map[string]string
	Internal                 bool
	Default                  bool // a default bridge
}

// Create makes a network: its record, and for a bridge its device.
func (m *Manager) Create(cs CreateSpec) (Record, error) {
	if cs.Driver == "" {
		cs.Driver = DriverBridge
	}
	if err := os.MkdirAll(filepath.Dir(hostLock), 0o755); err != nil {
		return Record{}, fmt.Errorf("create network %q: %w", cs.Name, err)
	}
	host, err := store.LockFile(hostLock)
	if err != nil {
		return Record{}, fmt.Errorf("create network %q: %w", cs.Name, err)
	}
	defer host.Unlock()
	lock, err := m.lockAll()
	if err != nil {
		return Record{}, err
	}
	defer lock.Unlock()
	return m.createLocked(cs, newNetworkID())
}

func (m *Manager) createLocked(cs CreateSpec, id string) (Record, error) {
	all, err := m.listLocked()
	if err != nil {
		return Record{}, err
	}
	for _, r := range all {
		if r.Name == cs.Name {
			return Record{}, errorf(ErrExists, "network with name %s already exists", cs.Name)
		}
	}
	rec := Record{ID: id, Name: cs.Name, Driver: cs.Driver, Options: cs.Options, Labels: cs.Labels,
		Internal: cs.Internal, Default: cs.Default, Created: time.Now().UTC(), Owner: m.owner}
	switch cs.Driver {
	case DriverBridge:
		rec.Device = userBridgePrefix + id[:12]
		if cs.Default {
			rec.Device = defaultBridgePrefix + id[:8]
		}
	case DriverMacvlan:
		if rec.Device, err = m.checkMacvlan(cs.Options); err != nil {
			return Record{}, err
		}
	default:
		return Record{}, errorf(ErrInvalid, "plugin %q not found: berth has the drivers \"bridge\" and \"macvlan\"", cs.Driver)
	}
	cfg, err := m.addressConfig(cs, all)
	if err != nil {
		return Record{}, err
	}
	rec.Subnet, rec.Gateway, rec.IPRange, rec.UserSubnet = cfg.Subnet, cfg.Gateway, cfg.IPRange, cfg.UserSubnet
	dir := m.netDir(id)
	if err := os.MkdirAll(filepath.Join(dir, "endpoints"), 0o700); err != nil {
		return Record{}, fmt.Errorf("create network %q: %w", cs.Name, err)
	}
	if err := m.writeRecord(dir, rec); err != nil {
		_ = os.RemoveAll(dir)
		return Record{}, fmt.Errorf("create network %q: %w", cs.Name, err)
	}
	if rec.Driver == DriverBridge {
		if _, err := netdev.EnsureBridge(m.host, rec.Device, rec.gatewayPrefix(), 0); err != nil {
			_ = os.RemoveAll(dir)
			return Record{}, fmt.Errorf("create network %q: %w", cs.Name, err)
		}
		if err := m.markBridge(rec); err != nil {
			_ = netdev.DeleteLink(m.host, rec.Device)
			_ = os.RemoveAll(dir)
			return Record{}, fmt.Errorf("create network %q: %w", cs.Name, err)
		}
	}
	return rec, nil
}

// addressConfig picks or checks the network's subnet. A picked one is the
// first free /24 of the pools (172.17.0.0/16 for a default bridge) that
// overlaps no network of the root and no address or route of the host,
// where other roots' bridges show too. A user's subnet must overlap no
// network of the root and, for a bridge, nothing the host routes: the
// bridge's link route would take that traffic from the host.
func (m *Manager) addressConfig(cs CreateSpec, all []Record) (ipam.Config, error) {
	var taken []netip.Prefix
	for _, r := range all {
		taken = append(taken, r.Subnet)
	}
	host, err := ipam.HostPrefixes(m.host)
	if err != nil {
		return ipam.Config{}, err
	}
	pools := ipam.UserPools()
	if cs.Default {
		pools = ipam.DefaultBridgePools()
	}
	pick := func() (netip.Prefix, error) {
		return ipam.PickSubnet(pools, append(taken, ipam.Prefixes(host)...))
	}
	cfg, err := ipam.ParseConfig(cs.Subnet, cs.Gateway, cs.IPRange, pick)
	if err != nil || !cfg.UserSubnet {
		return cfg, err
	}
	if err := ipam.CheckNoOverlap(cfg.Subnet, taken); err != nil {
		return ipam.Config{}, err
	}
	if cs.Driver == DriverBridge {
		if err := ipam.CheckHost(cfg.Subnet, host); err != nil {
			return ipam.Config{}, err
		}
	}
	return cfg, nil
}

func (r Record) gatewayPrefix() netip.Prefix {
	return netip.PrefixFrom(r.Gateway, r.Subnet.Bits())
}

// checkMacvlan validates macvlan's options and returns the parent, which
// must be an interface of its own (netdev.CheckMacvlanParent): never
// loopback, a bridge or the host's uplink. Unknown options were refused
// before, by spec.CheckNetworkOptions.
func (m *Manager) checkMacvlan(opts map[string]string) (string, error) {
	if _, err := netdev.ParseMacvlanMode(opts["macvlan_mode"]); err != nil {
		return "", err
	}
	parent := opts["parent"]
	if parent == "" {
		return "", errorf(ErrInvalid, "macvlan needs a parent interface: options={\"parent\": IFACE}")
	}
	if err := netdev.CheckMacvlanParent(m.host, parent); err != nil {
		return "", err
	}
	return parent, nil
}

// Get returns the network stored under name (or with that id).
func (m *Manager) Get(name string) (Record, error) {
	all, err := m.List()
	if err != nil {
		return Record{}, err
	}
	for _, r := range all {
		if r.Name == name || r.ID == name {
			return r, nil
		}
	}
	return Record{}, errorf(ErrNotFound, "network %s not found", name)
}

// List returns every network of the root, by name.
func (m *Manager) List() ([]Record, error) { return m.listLocked() }

func (m *Manager) listLocked() ([]Record, error) {
	entries, err := os.ReadDir(m.dir)
	if err != nil {
		return nil, fmt.Errorf("list networks: %w", err)
	}
	var out []Record
	for _, ent := range entries {
		if !ent.IsDir() {
			continue
		}
		var r Record
		if err := store.ReadJSON(filepath.Join(m.dir, ent.Name(), "network.json"), &r); err != nil {
			continue // being created or removed (see GC)
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Record) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Remove deletes a network that has no live endpoints. rec.Name is the
// name the messages use.
func (m *Manager) Remove(rec Record) error {
	lock, err := m.lockAll()
	if err != nil {
		return err
	}
	defer lock.Unlock()
	nl, err := m.lockNet(rec.ID)
	if err != nil {
		return err
	}
	defer nl.Unlock()
	eps, err := m.liveEndpoints(rec.ID)
	if err != nil {
		return err
	}
	if len(eps) > 0 {
		return errorf(ErrActiveEndpoints, "error while removing network: network %s id %s has active endpoints", rec.Name, rec.ID)
	}
	return m.destroy(rec)
}

// destroy deletes the network's device and directory.
func (m *Manager) destroy(rec Record) error {
	if rec.Driver == DriverBridge {
		if err := netdev.DeleteLink(m.host, rec.Device); err != nil {
			return fmt.Errorf("remove network %s: %w", rec.Name, err)
		}
	}
	if err := os.RemoveAll(m.netDir(rec.ID)); err != nil {
		return fmt.Errorf("remove network %s: %w", rec.Name, err)
	}
	return nil
}

func (m *Manager) lockNet(id string) (*store.Lock, error) {
	return store.LockFile(filepath.Join(m.netDir(id), "lock"))
}

// Endpoints lists the live endpoints of a network.
func (m *Manager) Endpoints(id string) ([]Endpoint, error) { return m.liveEndpoints(id) }

func (m *Manager) liveEndpoints(id string) ([]Endpoint, error) {
	dir := filepath.Join(m.netDir(id), "endpoints")
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("list endpoints: %w", err)
	}
	var out []Endpoint
	for _, ent := range entries {
		data, err := os.ReadFile(filepath.Join(dir, ent.Name()))
		if err != nil {
			continue
		}
		var ep Endpoint
		if json.Unmarshal(data, &ep) != nil || !m.alive(ep.Owner) {
			continue
		}
		out = append(out, ep)
	}
	return out, nil
}

func newNetworkID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
