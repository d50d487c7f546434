package registry

import "berth/starlib/builtins"

// Docs describes the registry module and the Registry type.
var Docs = []builtins.Entry{
	{Name: "registry", Kind: builtins.Module,
		Doc: "An OCI registry for tests, so scenarios can push and pull without the internet."},
	{Name: "registry.serve", Kind: builtins.Function, Returns: "Registry",
		Params: []builtins.Param{{Name: "username", Default: "None"}, {Name: "password", Default: "None"}},
		Doc: "Starts an empty in-memory OCI registry (go-containerregistry's `pkg/registry`) in the berth process on " +
			"`127.0.0.1` at a free port, without TLS. With `username` and `password` (both or neither) it asks for them " +
			"as Docker Hub does (a 401 with a Bearer challenge, a token endpoint taking basic auth; basic auth directly " +
			"works too): give them to `image.pull` and `image.push`, or put them in `~/.docker/config.json`. It is stopped, and what was pushed to it is " +
			"gone, when the case ends (the top level's when the file ends). Tag an image `ADDRESS/NAME:TAG` and " +
			"`image.push` it; `image.pull` and `run` fetch it over plain HTTP, as for every loopback registry."},
	{Name: "Registry", Kind: builtins.Type,
		Doc: "What `registry.serve` returns, of type `registry`; `str(r)` is `<registry 127.0.0.1:PORT>`."},
	{Name: "Registry.address", Kind: builtins.Attribute, Returns: "str", Doc: "`\"127.0.0.1:PORT\"`, the host part of image names in it"},
}
