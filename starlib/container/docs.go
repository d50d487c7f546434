package container

import (
	"slices"

	"berth/starlib/builtins"
)

// Docs describes the globals of this package, run's options and the
// Container type, for `berth help`, the reference and the REPL.
var Docs = slices.Concat([]builtins.Entry{
	{Name: "run", Kind: builtins.Function, Returns: "Container",
		Params: []builtins.Param{{Name: "image"}, {Name: "cmd", Default: "None"}}, Options: runOptions,
		Doc: "`docker run`: create and start. Without `detach=True` it waits for the exit and returns the exited " +
			"container, with `.output`, `.stdout`, `.stderr`. With `detach=True` it returns once the process runs. " +
			"`image` is a reference such as `\"busybox\"` or an image id; `cmd` a list of strings, or one string " +
			"split into words as a shell would split it (no shell runs); `None`, `\"\"` or `[]` keeps the image's CMD. " +
			"Only `image` and `cmd` are positional: give every option by name."},
	{Name: "create", Kind: builtins.Function, Returns: "Container",
		Params: []builtins.Param{{Name: "image"}, {Name: "cmd", Default: "None"}}, Options: createOptions(),
		Doc: "`docker create`: the same options except `detach` and `timeout`; the container is not started."},
	{Name: "container", Kind: builtins.Function, Returns: "Container",
		Params: []builtins.Param{{Name: "name_or_id"}},
		Doc: "A container of this case's sandbox or of the file's top level, by name (a leading `/` is allowed), " +
			"full id, or unique id prefix."},
	{Name: "sleep", Kind: builtins.Function,
		Params: []builtins.Param{{Name: "duration"}},
		Doc: "Waits for `duration`: `\"100ms\"`, `\"2s\"`, a number of seconds, or a `time.duration`; stops early " +
			"(with an error) when the case times out or is interrupted."},
}, valueDocs)

// runOptions are the options of run, in the reference's order; create
// takes all but detach and timeout.
var runOptions = []builtins.Param{
	{Name: "name", Docker: "--name", Doc: "`[a-zA-Z0-9][a-zA-Z0-9_.-]+`, unique in the sandbox and the file's top level; default: a random `adjective_surname`"},
	{Name: "detach", Docker: "-d, --detach", Doc: "bool; `run` only"},
	{Name: "env", Docker: "-e, --env", Doc: "dict of strings, or list of `\"KEY=VALUE\"`; added to the image's variables (a key of the image's is replaced in place). A name may not be empty or hold `=`, spaces or NUL"},
	{Name: "hostname", Docker: "-h, --hostname", Doc: "letters, digits, hyphens and dots, at most 63 characters; default: the first 12 characters of the id (with `network=\"host\"`: the host's name)"},
	{Name: "workdir", Docker: "-w, --workdir", Doc: "absolute path; created in the container when missing; default: the image's, else `/`"},
	{Name: "user", Docker: "-u, --user", Doc: "`name`, `uid`, `name:group` or `uid:gid` (anything else, such as `\"1:2:3\"`, is refused), looked up in the container's own `/etc/passwd` and `/etc/group`, which must be regular files; default: the image's user, else root"},
	{Name: "entrypoint", Docker: "--entrypoint", Doc: "a string (one executable, not split into words), a list, or `\"\"`/`[]` to clear the image's; setting it drops the image's CMD, as in Docker"},
	{Name: "stdin", Docker: "-i, --interactive", Doc: "string fed to the main process, which then sees end of file"},
	{Name: "network", Docker: "--network, --net", Doc: "`\"bridge\"` (the default; `\"default\"` is the same), `\"none\"` (only `lo`), `\"host\"` (the host's network namespace), `\"container:NAME\"` (the network namespace of a running container of the sandbox), the name of a network made with [`network.create`](#network), or a Network value. See [networking.md](networking.md)"},
	{Name: "aliases", Docker: "--network-alias, --net-alias", Doc: "list of names (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`) the embedded DNS also answers with this container, on its first network; user networks only"},
	{Name: "ip", Docker: "--ip", Doc: "an IPv4 address on the first network, which must be a user network created with `subnet`"},
	{Name: "links", Docker: "--link", Doc: "list of `\"NAME:ALIAS\"` or `\"NAME\"` (the alias is then the name), NAME a container of the sandbox. On the default bridge: a line `<ip>\\t<alias> <hostname> <name>` in `/etc/hosts` and the variables `ALIAS_NAME`, `ALIAS_ENV_<VAR>` and `ALIAS_PORT_…` (one set per published port); on a user network: a DNS name only this container resolves. Not with `network=\"host\"` or `\"container:NAME\"`"},
	{Name: "ports", Docker: "-p, --publish", Doc: "list of `\"CTRPORT\"`, `\"HOSTPORT:CTRPORT\"`, `\"IP:HOSTPORT:CTRPORT\"` or `\"IP::CTRPORT\"`, each with an optional `/tcp` (the default) or `/udp`. No host address: every host address; no host port: one the system picks (read it from `inspect()`). No ranges, no `sctp`. Ignored with `network=\"host\"` or `\"none\"`, as Docker discards them"},
	{Name: "volumes", Docker: "-v, --volume", Doc: "list of `\"/host/path:/ctr[:MODE]\"` (a bind mount; a missing host directory is created, root, 0755; a path starting with `.` or holding a `/` but not starting with one is relative to the scenario's directory), `\"NAME:/ctr[:MODE]\"` (a named volume, created on first use), or `\"/ctr\"` (an anonymous volume). MODE: `ro`, `rw` or `nocopy` (volumes only), comma-separated. See [volumes.md](volumes.md)"},
	{Name: "mounts", Docker: "--mount", Doc: "list of dicts with `--mount`'s keys: `type` (`\"volume\"`, the default, `\"bind\"` or `\"tmpfs\"`), `source` or `src` (bind: a host path that must exist; volume: a name, left out for an anonymous volume; tmpfs: none), `target`, `destination` or `dst` (absolute), `readonly` or `ro` (bool), `nocopy` or `volume-nocopy` (bool, volumes only), `size` (tmpfs only: `\"64m\"` or bytes), `mode` (tmpfs only: an int such as `0o1777`, or an octal string `\"1777\"`)"},
	{Name: "volumes_from", Docker: "--volumes-from", Doc: "list of `\"NAME\"`, `\"NAME:ro\"` or `\"NAME:rw\"`: the binds and volumes (not the tmpfs mounts) of that container of the sandbox, at the same paths; `ro`/`rw` override their modes; a mount the new container makes at the same path wins"},
	{Name: "read_only", Docker: "--read-only", Doc: "bool: the root filesystem is mounted read-only"},
	{Name: "memory", Docker: "-m, --memory", Doc: "a size with a binary unit, `\"64m\"`, `\"1.5g\"` (`b`, `k`, `m`, `g`, `t`, `p`, any case, optional `b`/`ib`), or an int of bytes; from 6 MB to 1 EiB"},
	{Name: "memory_swap", Docker: "--memory-swap", Doc: "memory plus swap, a size as above, or `-1` (or `\"-1\"`) for unlimited swap; needs `memory`; default twice `memory`"},
	{Name: "cpu_shares", Docker: "-c, --cpu-shares", Doc: "int, relative weight (the kernel's default is 1024)"},
	{Name: "cpus", Docker: "--cpus", Doc: "int or float number of CPUs, from 0.01 to the number of CPUs; sets a 100000 µs period and the matching quota"},
	{Name: "cpu_period", Docker: "--cpu-period", Doc: "int, µs, 1000 to 1000000; not with `cpus`"},
	{Name: "cpu_quota", Docker: "--cpu-quota", Doc: "int, µs, from 1000 to 2^44-1; not with `cpus`"},
	{Name: "cpuset_cpus", Docker: "--cpuset-cpus", Doc: "`\"0\"`, `\"0-1\"`, `\"0,2-3\"`; only CPUs this machine has"},
	{Name: "pids_limit", Docker: "--pids-limit", Doc: "int from 1 to 4194304 (the kernel's maximum); `0` or `-1` for unlimited"},
	{Name: "device_read_bps", Docker: "--device-read-bps", Doc: "dict of block device path to bytes per second read: a size string (`{\"/dev/vda\": \"1mb\"}`) or an int"},
	{Name: "device_write_bps", Docker: "--device-write-bps", Doc: "dict of block device path to bytes per second written, as `device_read_bps`"},
	{Name: "device_read_iops", Docker: "--device-read-iops", Doc: "dict of block device path to an int of read operations per second (`{\"/dev/vda\": 100}`)"},
	{Name: "device_write_iops", Docker: "--device-write-iops", Doc: "dict of block device path to an int of write operations per second, as `device_read_iops`"},
	{Name: "log_driver", Docker: "--log-driver", Doc: "`\"json-file\"` (default), `\"fluentd\"`, `\"awslogs\"` or `\"none\"`"},
	{Name: "log_opts", Docker: "--log-opt", Doc: "dict of strings. json-file: `max-size` (decimal units as Docker reads them: `\"10k\"` is 10000 bytes; default unlimited), `max-file` (default 1), `compress` (`\"false\"` only), `labels`, `labels-regex`, `env`, `env-regex`, `tag`; every driver: `mode` (`\"blocking\"` (default) or `\"non-blocking\"`: a bounded buffer, drops counted in `log_drops`), `max-buffer-size` (non-blocking only; default 1 MB). `none` accepts any. fluentd and awslogs: Docker's options, see [logging.md](logging.md)."},
	{Name: "labels", Docker: "-l, --label", Doc: "dict of strings"},
	{Name: "timeout", Doc: "`run` only, not with `detach=True`: how long a foreground run may take; then the container is killed and `run` fails"},
}

// runOnly are the options create refuses: it never starts the container.
var runOnly = []string{"detach", "timeout"}

func createOptions() []builtins.Param {
	return slices.DeleteFunc(slices.Clone(runOptions), func(p builtins.Param) bool { return slices.Contains(runOnly, p.Name) })
}
