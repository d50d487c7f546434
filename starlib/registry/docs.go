package registry

import "berth/starlib/builtins"

// Docs describes the registry module and the Registry type.
var Docs = []builtins.Entry{
	{Name: "registry", Kind: builtins.Module,
		Doc: "An OCI registry for tests, so scenarios can push and pull without the internet."},
	{Name: "registry.serve", Kind: builtins.Function, Returns: "Registry",
		Doc: "Starts an empty in-memory OCI registry (go-containerregistry's `pkg/registry`) in the berth process on " +
			"`127.0.0.1` at a free port, without TLS or authentication. It is stopped, and what was pushed to it is " +
			"gone, when the case ends (the top level's when the file ends). Tag an image `ADDRESS/NAME:TAG` and " +
			"`image.push` it; `image.pull` and `run` fetch it over plain HTTP, as for every loopback registry."},
	{Name: "Registry", Kind: builtins.Type,
		Doc: "What `registry.serve` returns, of type `registry`; `str(r)` is `<registry 127.0.0.1:PORT>`."},
	{Name: "Registry.address", Kind: builtins.Attribute, Returns: "str", Doc: "`\"127.0.0.1:PORT\"`, the host part of image names in it"},
}
