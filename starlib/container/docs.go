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
var runOptions = slices.Concat([]builtins.Param{
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
}, limitParams(), []builtins.Param{ // the limits: one table with update's (limits.go)
	{Name: "log_driver", Docker: "--log-driver", Doc: "`\"json-file\"` (default), `\"syslog\"`, `\"fluentd\"`, `\"awslogs\"` or `\"none\"`; see [logging.md](logging.md)"},
	{Name: "log_opts", Docker: "--log-opt", Doc: "dict of strings. json-file: `max-size` (decimal units as Docker reads them: `\"10k\"` is 10000 bytes; default unlimited), `max-file` (default 1), `compress` (`\"true\"`: rotated files are gzipped, `container.log.1.gz`; default `\"false\"`), `labels`, `labels-regex`, `env`, `env-regex`, `tag`; syslog: `syslog-address`, `syslog-facility`, `syslog-format`, `syslog-tls-ca-cert`, `syslog-tls-cert`, `syslog-tls-key`, `syslog-tls-skip-verify`, `tag`, `labels`, `env` (and the `cache-*` options of its local copy); fluentd and awslogs: Docker's options, see [logging.md](logging.md); every driver: `mode` (`\"blocking\"` (default) or `\"non-blocking\"`: a bounded buffer, drops counted in `log_drops`), `max-buffer-size` (non-blocking only; default 1 MB). `none` accepts any."},
	{Name: "labels", Docker: "-l, --label", Doc: "dict of strings"},
	{Name: "storage_opt", Docker: "--storage-opt", Doc: "dict with one key, `size`: a hard limit on the container's writable layer, `\"64m\"` (a size as `memory` takes it, from 1m to 1t); a write past it fails with ENOSPC (\"No space left on device\"); volumes, binds and tmpfs mounts are not counted. The layer is an ext4 file system on a loop device"},
	{Name: "timeout", Doc: "`run` only, not with `detach=True`: how long a foreground run may take; then the container is killed and `run` fails"},
	{Name: "pull", Docker: "--pull", Doc: "`\"missing\"` (the default: pull the image when it is not stored, as `image.pull` does), `\"always\"` (pull every time) or `\"never\"` (fail with `No such image`). Offline (`--offline`, `BERTH_OFFLINE=1`) only a loopback registry is contacted. See [images.md](images.md)"},
	{Name: "platform", Docker: "--platform", Doc: "`\"os/arch[/variant]\"`, such as `\"linux/arm64\"`: the platform to pull; an image stored for another platform is pulled again (unless `pull=\"never\"`). Default: this machine's"},
})

// runOnly are the options create refuses: it never starts the container.
var runOnly = []string{"detach", "timeout"}

func createOptions() []builtins.Param {
	return slices.DeleteFunc(slices.Clone(runOptions), func(p builtins.Param) bool { return slices.Contains(runOnly, p.Name) })
}
