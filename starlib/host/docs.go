package host

import "berth/starlib/builtins"

func docFunc(name, returns, doc string, params ...builtins.Param) builtins.Entry {
	return builtins.Entry{Name: "host." + name, Kind: builtins.Function, Params: params, Returns: returns, Doc: doc}
}

func docParam(name, def string) builtins.Param { return builtins.Param{Name: name, Default: def} }

// Docs describes the host module.
var Docs = []builtins.Entry{
	{Name: "host", Kind: builtins.Module,
		Doc: "Checks on the host's side of a scenario. Relative paths (and the default working directory of `exec`) " +
			"are relative to the directory of the `.star` file whose code makes the call, so a suite runs the same " +
			"from anywhere."},
	docFunc("tempdir", "str", "Creates a fresh directory (mode 0755) under `$TMPDIR/berth-host`, named after the berth process, removed with its content when the case ends (by `berth gc` if the run is killed first)."),
	docFunc("read_file", "str", "The file's content: a regular file only, at most 64 MiB.", docParam("path", "")),
	docFunc("write_file", "", "Writes `content`, a string or bytes, to the file at `path`, creating parent directories, replacing the file.", docParam("path", ""), docParam("content", "")),
	docFunc("exec", "exec_result", "Runs a program on the host (no shell, `cmd` as for `run`) with berth's environment plus "+
		"`env`; a non-zero exit is a result, a program that cannot start is an error, and so is a `workdir` that is not a "+
		"directory (named as such, not blamed on the program). Cancelling the case kills it and "+
		"what it started.",
		docParam("cmd", ""), docParam("env", "None"), docParam("workdir", "None"), docParam("stdin", "None")),
	docFunc("veth_pair", "(str, str)", "Creates a veth pair on the host, both ends up and without addresses, named `bvp<8 hex>a` and `bvp<8 hex>b`, and returns the two names; both are deleted when the case ends (by `berth gc` if the run is killed first: their alias names the berth process). A stand-in for a physical network: the `parent` of a [macvlan](#network) network, which must never be the host's own uplink."),
}
