package network

import "berth/starlib/builtins"

func docFunc(name, returns, doc string, params ...builtins.Param) builtins.Entry {
	return builtins.Entry{Name: name, Kind: builtins.Function, Params: params, Returns: returns, Doc: doc}
}

func docMethod(name, returns, doc string, params ...builtins.Param) builtins.Entry {
	return builtins.Entry{Name: "Network." + name, Kind: builtins.Method, Params: params, Returns: returns, Doc: doc}
}

func docAttr(name, doc string) builtins.Entry {
	return builtins.Entry{Name: "Network." + name, Kind: builtins.Attribute, Returns: "str", Doc: doc}
}

func docParam(name, def string) builtins.Param { return builtins.Param{Name: name, Default: def} }

// Docs describes the network module and the Network type.
var Docs = []builtins.Entry{
	{Name: "network", Kind: builtins.Module,
		Doc: "`docker network`. Networks a scenario creates are sandboxed like containers: their names are the " +
			"scenario's own, a case's networks are removed when it ends, and the top level's when the file's last " +
			"case has ended. Wherever a network is expected, its name or a Network works; wherever a container " +
			"is expected, a container or its name."},
	docFunc("network.create", "Network", "`docker network create`. `driver`: `\"bridge\"` (a host bridge `br-<12 hex of the id>`) or `\"macvlan\"`. Without `subnet`, the next free `/24` of `172.18.0.0/16` … `172.31.0.0/16`, then `192.168.0.0/16`, that overlaps no network of the root and no address or route of the host (other berth runs' bridges included); `172.17.0.0/16` is left to the files' default bridges. `subnet`, `gateway` (default: the subnet's first address) and `ip_range` (where addresses are handed out) are CIDRs and an address, as Docker takes them. `options`: for macvlan, `parent` (a host interface of its own, required: not loopback, not a bridge or a port of one, not an interface a default route goes out of) and `macvlan_mode` (`bridge`, the default, `private`, `vepa`, `passthru`). `internal=True`: no default route in the containers. `labels`: a dict of strings.",
		docParam("name", ""), docParam("driver", `"bridge"`), docParam("subnet", "None"), docParam("gateway", "None"), docParam("ip_range", "None"), docParam("options", "{}"), docParam("internal", "False"), docParam("labels", "{}")),
	docFunc("network.ls", "list of Network", "The networks the scenario sees: `bridge`, `host`, `none` and those of the case and of its file, sorted by name."),
	docFunc("network.inspect", "dict", "`docker network inspect`: `Name`, `Id`, `Created`, `Scope` (`\"local\"`), `Driver`, "+
		"`EnableIPv6`, `IPAM{Driver, Options, Config[{Subnet, Gateway, IPRange}]}`, `Internal`, `Attachable`, "+
		"`Containers{ID{Name, EndpointID, MacAddress, IPv4Address, IPv6Address}}` (the running members; `IPv4Address` "+
		"with its prefix length), `Options`, `Labels`.",
		docParam("name", "")),
	docFunc("network.connect", "", "`docker network connect`: a running container gets the next interface at once (`eth1`, "+
		"`eth2` …, not reused until it restarts), its address and its names in the network's DNS; a created or stopped "+
		"one gets them when it starts. The default route stays on the first network.",
		docParam("net", ""), docParam("c", ""), docParam("aliases", "[]"), docParam("ip", "None")),
	docFunc("network.disconnect", "", "`docker network disconnect`: the interface, the address and the DNS names go at once.",
		docParam("net", ""), docParam("c", "")),
	docFunc("network.rm", "", "`docker network rm`: refused while containers are on it.",
		docParam("name", "")),

	{Name: "Network", Kind: builtins.Type,
		Doc: "What `network.create` and `network.ls` return, of type `network`; `str(n)` is `<network NAME>`."},
	docAttr("name", "the scenario's name of the network"),
	docAttr("id", "64 hex characters; `\"host\"` and `\"none\"` for those two"),
	docAttr("driver", "`\"bridge\"`, `\"macvlan\"`, `\"host\"` or `\"null\"`"),
	docAttr("subnet", "the subnet, a CIDR; `\"\"` for `host` and `none`"),
	docAttr("gateway", "the gateway's address; `\"\"` for `host` and `none`"),
	docMethod("inspect", "dict", "`network.inspect` of this network."),
	docMethod("connect", "", "`network.connect` of this network.", docParam("c", ""), docParam("aliases", "[]"), docParam("ip", "None")),
	docMethod("disconnect", "", "`network.disconnect` of this network.", docParam("c", "")),
	docMethod("rm", "", "`network.rm` of this network."),
}
