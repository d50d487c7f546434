package ipam

import "net/netip"

// special is an IPv4 range no network may overlap, whatever the host's
// tables say: a bridge there would take over addresses the host must reach
// elsewhere (169.254.169.254 is the cloud metadata service) or that are not
// unicast at all.
type special struct {
	prefix netip.Prefix
	what   string
}

var specialRanges = []special{
	{netip.MustParsePrefix("0.0.0.0/8"), `"this network" (0.0.0.0/8), which is never a destination`},
	{netip.MustParsePrefix("127.0.0.0/8"), "the loopback range"},
	{netip.MustParsePrefix("169.254.0.0/16"), "the link-local range, where the cloud metadata service answers at 169.254.169.254"},
	{netip.MustParsePrefix("224.0.0.0/4"), "the multicast range"},
	{netip.MustParsePrefix("240.0.0.0/4"), "the reserved range 240.0.0.0/4 (with the broadcast address 255.255.255.255)"},
}

// checkSpecial refuses a subnet that overlaps a special-purpose range.
func checkSpecial(sub netip.Prefix) error {
	for _, s := range specialRanges {
		if sub.Overlaps(s.prefix) {
			return errorf(ErrShadowsHost, "subnet %s overlaps %s, %s: choose another subnet", sub, s.prefix, s.what)
		}
	}
	return nil
}
