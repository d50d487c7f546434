package netdev

import (
	"fmt"
	"sort"

	"github.com/vishvananda/netlink"
)

// SetAlias sets the alias (ifalias) of the link called name. The engine
// marks the links it makes with their owner there, for gc to find them
// without any record. The kernel ignores an alias given at creation, so
// this is a second step.
func SetAlias(h *netlink.Handle, name, alias string) error {
	if err := checkHandle(h); err != nil {
		return err
	}
	link, err := lookup(h, name)
	if err != nil {
		return err
	}
	if err := h.LinkSetAlias(link, alias); err != nil {
		return fmt.Errorf("set alias of %s: %w", name, err)
	}
	return nil
}

// AliasedLink is a link that has an alias.
type AliasedLink struct {
	Name, Kind, Alias string
}

// AliasedLinks lists the links in h's namespace that have an alias,
// sorted by name.
func AliasedLinks(h *netlink.Handle) ([]AliasedLink, error) {
	if err := checkHandle(h); err != nil {
		return nil, err
	}
	links, err := listLinks(h)
	if err != nil {
		return nil, err
	}
	var out []AliasedLink
	for _, l := range links {
		if a := l.Attrs(); a.Alias != "" {
			out = append(out, AliasedLink{Name: a.Name, Kind: l.Type(), Alias: a.Alias})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
