// Package netdev is the Linux link plumbing of berth's networks: bridges,
// veth pairs into container namespaces, macvlan links, addresses and routes.
//
// Every function is told which network namespace it works in, either as a
// *netlink.Handle (the "host" side; the engine passes a handle on its own
// namespace) or as the path of a namespace file (the container side). The
// calling goroutine's thread never switches namespace here: container
// namespaces are reached through netlink handles opened at them
// (netlink.NewHandleAt), so nothing leaks into other goroutines.
//
// In production the host handle is netlink.NewHandle(unix.NETLINK_ROUTE)
// opened by the engine; tests pass a handle on a throwaway namespace that
// plays the host.
package netdev

import (
	"berth/runtime/network/nldump"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sort"
	"strings"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Sentinel errors callers branch on; returned errors wrap them with context.
var (
	// ErrInvalidName: an interface name the kernel would refuse.
	ErrInvalidName = errors.New("invalid interface name")
	// ErrNotFound: a link (bridge, interface, macvlan parent) does not exist.
	ErrNotFound = errors.New("link not found")
	// ErrExists: a link with the requested name exists already.
	ErrExists = errors.New("link already exists")
	// ErrWrongKind: a link exists under the name but is of another type
	// (e.g. a veth where a bridge is expected).
	ErrWrongKind = errors.New("link is of the wrong type")
	// ErrInvalidEndpoint: an Endpoint's fields are inconsistent.
	ErrInvalidEndpoint = errors.New("invalid endpoint")
	// ErrParentNotFound: the macvlan parent is missing in the host namespace.
	ErrParentNotFound = errors.New("-o parent interface was not found on the host")
	// ErrInvalidMacvlanMode: a macvlan mode other than bridge, private, vepa
	// or passthru.
	ErrInvalidMacvlanMode = errors.New("invalid macvlan mode")
)

// MaxNameLen is the longest interface name the kernel accepts (IFNAMSIZ
// minus the terminating NUL).
const MaxNameLen = unix.IFNAMSIZ - 1

// VethPrefix starts the name of every host-side veth end this package makes.
const VethPrefix = "veth"

// maxNameAttempts bounds the retries after a random name collides with an
// existing link; with 32 random bits a second collision is already unlikely.
const maxNameAttempts = 8

// ValidateName checks name the way the kernel's dev_valid_name does, so a
// bad name fails here with a clear message instead of an EINVAL later.
func ValidateName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty name", ErrInvalidName)
	case len(name) > MaxNameLen:
		return fmt.Errorf("%w: %q is %d characters long, at most %d allowed", ErrInvalidName, name, len(name), MaxNameLen)
	case name == "." || name == "..":
		return fmt.Errorf("%w: %q is not allowed", ErrInvalidName, name)
	case strings.ContainsAny(name, "/: \t\n\v\f\r"):
		return fmt.Errorf("%w: %q contains '/', ':' or white space", ErrInvalidName, name)
	}
	return nil
}

// DeleteLink removes the link called name from h's namespace. A missing link
// is not an error, so cleanup can be repeated.
func DeleteLink(h *netlink.Handle, name string) error {
	if err := checkHandle(h); err != nil {
		return err
	}
	if err := ValidateName(name); err != nil {
		return err
	}
	link, err := lookup(h, name)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return deleteLink(h, link)
}

// ListLinks returns the sorted names of the links in h's namespace that
// start with prefix (e.g. "br-", "berth0" or VethPrefix), for garbage
// collection of what a previous engine run left behind.
func ListLinks(h *netlink.Handle, prefix string) ([]string, error) {
	if err := checkHandle(h); err != nil {
		return nil, err
	}
	links, err := listLinks(h)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, l := range links {
		if name := l.Attrs().Name; strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// listLinks dumps the links, retrying while the dump races with changes.
func listLinks(h *netlink.Handle) ([]netlink.Link, error) {
	return nldump.Retry("list links", h.LinkList)
}

// lookup finds a link by name, turning netlink's not-found error into
// ErrNotFound.
func lookup(h *netlink.Handle, name string) (netlink.Link, error) {
	link, err := h.LinkByName(name)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, name)
		}
		return nil, fmt.Errorf("look up link %s: %w", name, err)
	}
	return link, nil
}

func deleteLink(h *netlink.Handle, link netlink.Link) error {
	err := h.LinkDel(link)
	if err != nil && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("delete link %s: %w", link.Attrs().Name, err)
	}
	return nil
}

func checkHandle(h *netlink.Handle) error {
	if h == nil {
		return errors.New("netdev: nil netlink handle (pass a handle on the namespace to work in)")
	}
	return nil
}

// nsHandle is an open network namespace plus a route-netlink handle in it.
type nsHandle struct {
	ns netns.NsHandle
	h  *netlink.Handle
}

// openNS opens the namespace at path and a netlink handle inside it. Only
// the route family is opened: the other families cost sockets and time and
// are never used here.
func openNS(path string) (*nsHandle, error) {
	ns, err := netns.GetFromPath(path)
	if err != nil {
		return nil, fmt.Errorf("open network namespace %s: %w", path, err)
	}
	h, err := netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	if err != nil {
		ns.Close()
		return nil, fmt.Errorf("netlink handle in namespace %s: %w", path, err)
	}
	return &nsHandle{ns: ns, h: h}, nil
}

func (n *nsHandle) Close() {
	n.h.Close()
	n.ns.Close()
}

// randomName returns prefix followed by 8 random hex digits. Host-side names
// must be unique machine-wide for a while: the kernel deletes a veth's host
// end lazily after its container namespace died.
func randomName(prefix string) string {
	return fmt.Sprintf("%s%08x", prefix, rand.Uint32())
}

// randomMAC returns a random locally administered unicast address.
func randomMAC() net.HardwareAddr {
	mac := make(net.HardwareAddr, 6)
	for i := range mac {
		mac[i] = byte(rand.Uint32())
	}
	mac[0] = (mac[0] | 0x02) &^ 0x01
	return mac
}

func ipNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{
		IP:   net.IP(p.Addr().AsSlice()),
		Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen()),
	}
}

func family(a netip.Addr) int {
	if a.Is4() {
		return netlink.FAMILY_V4
	}
	return netlink.FAMILY_V6
}
