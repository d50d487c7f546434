package volume

import "berth/starlib/builtins"

// Docs describes the volume module and the Volume type.
var Docs = []builtins.Entry{
	{Name: "volume", Kind: builtins.Module,
		Doc: "`docker volume`, with the `local` driver only. A volume a case creates (with `create`, or by naming it " +
			"in `volumes=` or `mounts=`) is stored under a name private to its sandbox and removed when the case " +
			"ends, the top level's when the file ends; `keep=True` keeps one."},
	{Name: "volume.create", Kind: builtins.Function, Returns: "Volume",
		Params: []builtins.Param{{Name: "name", Default: "None"}, {Name: "driver", Default: `"local"`}, {Name: "labels", Default: "{}"}, {Name: "keep", Default: "False"}},
		Doc: "`docker volume create`: idempotent, the volume the scenario already sees under that name is returned. " +
			"Without a name, an anonymous volume with a 64-hex name. Names follow the container name rule, at least 2 " +
			"characters. `keep=True` stores the volume under exactly its name and leaves it for later cases and runs, " +
			"until `volume.rm` or `berth volume rm`."},
	{Name: "volume.ls", Kind: builtins.Function, Returns: "list of Volume",
		Doc: "The volumes of the case and its file, and the kept ones of the root, sorted by name."},
	{Name: "volume.inspect", Kind: builtins.Function, Returns: "dict", Params: []builtins.Param{{Name: "name"}},
		Doc: "`docker volume inspect`: `Name` (the scenario's), `Driver` (`\"local\"`), `Mountpoint` (the host directory), " +
			"`CreatedAt`, `Labels`, `Scope` (`\"local\"`), `Options` (`None`)."},
	{Name: "volume.rm", Kind: builtins.Function, Params: []builtins.Param{{Name: "name"}, {Name: "force", Default: "False"}},
		Doc: "`docker volume rm`: refused while a container mounts the volume, running or not, whatever `force` says; " +
			"`force=True` only makes a missing volume no error."},

	{Name: "Volume", Kind: builtins.Type,
		Doc: "What `volume.create` and `volume.ls` return, of type `volume`; `str(v)` is `<volume NAME>`."},
	{Name: "Volume.name", Kind: builtins.Attribute, Returns: "str", Doc: "the scenario's name of the volume"},
	{Name: "Volume.mountpoint", Kind: builtins.Attribute, Returns: "str", Doc: "the host directory that holds its data, `<root>/volumes/<name>/_data`"},
	{Name: "Volume.inspect", Kind: builtins.Method, Returns: "dict", Doc: "`volume.inspect` of this volume."},
	{Name: "Volume.rm", Kind: builtins.Method, Params: []builtins.Param{{Name: "force", Default: "False"}}, Doc: "`volume.rm` of this volume."},
}
