package container

import "berth/starlib/builtins"

func docAttr(name, returns, doc string) builtins.Entry {
	return builtins.Entry{Name: "Container." + name, Kind: builtins.Attribute, Returns: returns, Doc: doc}
}

func docMethod(name, returns, doc string, params ...builtins.Param) builtins.Entry {
	return builtins.Entry{Name: "Container." + name, Kind: builtins.Method, Params: params, Returns: returns, Doc: doc}
}

func docParam(name, def string) builtins.Param { return builtins.Param{Name: name, Default: def} }

// valueDocs describes the Container type: attributes first, then methods,
// in the reference's order.
var valueDocs = []builtins.Entry{
	{Name: "Container", Kind: builtins.Type,
		Doc: "What `run`, `create` and `container` return, of type `container`. Two values for the same container " +
			"are equal, and a container can be a dict key; `str(c)` is `<container NAME SHORT-ID>`. Attributes read " +
			"the live state. Methods fail with `No such container: NAME (it was removed)` after `rm()`, except `rm` itself."},
	docAttr("id", "str", "64 hex characters"),
	docAttr("name", "str", "without Docker's leading `/`"),
	docAttr("image", "str", "the reference it was created from, as given"),
	docAttr("status", "str", "`\"created\"`, `\"running\"`, `\"exited\"`, or `\"removed\"` after `rm()`"),
	docAttr("exit_code", "int or None", "`None` while running; else the exit status, 128 + the signal number when killed by a signal, 127 after a start that could not find the program, 126 after one whose program the kernel refused to execute (128 after another failed start), 0 for a container never started"),
	docAttr("oom_killed", "bool", "the kernel's OOM killer fired in the container's memory cgroup during its last run"),
	docAttr("log_drops", "int", "how many log messages the log driver took but could not deliver in the container's life: with `mode=non-blocking`, a full buffer or a receiver that is down, stalls or refuses, and what was not delivered within 5 s of the stop. Docker drops these silently; berth counts them, and says so in `inspect()[\"State\"][\"Error\"]` and the case's failure report"),
	docAttr("log_errors", "int", "how many log messages the log driver refused (a full disk, an I/O error) in the container's life; 0 when nothing was lost. See [lost log messages](#deliberate-differences-from-docker)"),
	docAttr("pid", "int", "host PID of the main process, 0 when not running"),
	docAttr("hostname", "str", "the container's hostname"),
	docAttr("ip", "str", "the address on its first network while it runs (that network's `IPAddress` in `inspect()`); `\"\"` "+
		"when it is not running, and with `network=\"none\"`, `\"host\"` or `\"container:NAME\"`"),
	docAttr("ips", "dict", "network name to address, one key per network the container is on (`{\"bridge\": \"172.18.0.2\"}`); "+
		"the address is `\"\"` while it is not running; `{}` with `none`, `host` and `container:NAME`"),
	docAttr("output", "str or None", "after a foreground `run`: stdout and stderr together, as written. `None` for a detached or created container, while running, and after the container was started again Each is cut to 16 MiB (see [Deliberate differences](#deliberate-differences-from-docker))."),
	docAttr("stdout", "str or None", "after a foreground `run`: what the process wrote to stdout; `None` when `output` is"),
	docAttr("stderr", "str or None", "after a foreground `run`: what the process wrote to stderr; `None` when `output` is"),

	docMethod("exec", "exec_result", "`docker exec`: runs a process in the running container and waits for it. `cmd` as for `run`; `env` (dict or list) is added to the container's; `user` and `workdir` default to the container's (`workdir` must be absolute). A non-zero exit is a result, not an error; a program that cannot be found is an error (`OCI runtime exec failed: exec: \"/nope\": …`), and so is one the kernel refuses to execute (`OCI runtime exec failed: exec /bin/echo: argument list too long (…)`, exit code 126), an argument or variable with a NUL byte (`invalid exec command: argument 1 (\"a\\x00\") contains a NUL byte, …`) and a container that is not running (`Container <id> is not running`).",
		docParam("cmd", ""), docParam("env", "None"), docParam("user", "None"), docParam("workdir", "None"), docParam("stdin", "None")),
	docMethod("logs", "str", "`docker logs`. `tail`: a number of lines, or `None`/`\"all\"`. `since`/`until`: RFC 3339 (down to a "+
		"bare date; without a zone, local time), unix seconds as a number or string, or a Go duration such as `\"10s\"` meaning "+
		"that long ago. `stream`: `\"all\"`, `\"stdout\"` or `\"stderr\"`. `timestamps=True` prefixes each line with its time, "+
		"RFC 3339 UTC with 9 fractional digits. Fails for `log_driver=\"none\"`: `configured logging driver does not support reading`.",
		docParam("tail", "None"), docParam("since", "None"), docParam("until", "None"), docParam("timestamps", "False"), docParam("stream", `"all"`)),
	docMethod("wait_for_log", "", "Follows the log (`docker logs -f` + grep) until `occurrences` lines, counted from the start of the log (earlier runs included), match the Go regular expression `pattern` (a search within each line, either stream). Fails at once when the container exits first, or when its log has lost messages (the line may have been one of them: `container NAME: its log is missing lines, …` with the cause), and after `timeout` otherwise; the errors show the last 10 log lines.",
		docParam("pattern", ""), docParam("timeout", `"10s"`), docParam("occurrences", "1")),
	docMethod("wait_for_port", "", "Waits until a socket of the container's network namespace listens on TCP `port` (1–65535), "+
		"read from the namespace's socket table, so it works with any network mode (with `network=\"host\"` that is the host's). "+
		"Fails at once when the container is not running.",
		docParam("port", ""), docParam("timeout", `"10s"`)),
	docMethod("wait", "int", "`docker wait`: blocks until the container is not running and returns its exit code (at once for a "+
		"container that is not running). With `timeout`, fails when it is still running then: `container NAME is still running after 1s`.",
		docParam("timeout", "None")),
	docMethod("start", "", "`docker start`: starts a created or exited container (its log continues; a running one is left alone). A missing program fails with Docker's message and leaves the container `created` with exit code 127; a program the kernel refuses to execute (`exec /bin/echo: argument list too long (…)`, `exec format error`) likewise, with exit code 126."),
	docMethod("stop", "", "`docker stop`: the image's `STOPSIGNAL` (SIGTERM when it sets none), then SIGKILL after `timeout` if still running; returns when it has exited. "+
		"Nothing when not running.",
		docParam("timeout", "10")),
	docMethod("restart", "", "`stop(timeout)` then `start()`.",
		docParam("timeout", "10")),
	docMethod("kill", "", "`docker kill`: a signal name with or without `SIG`, in any case (`\"TERM\"`, `\"sigusr1\"`, `\"RTMIN+1\"`), "+
		"or a number from 1 to 64 (int or string). After `KILL` it returns once the container has exited. Fails when the "+
		"container is not running: `Cannot kill container: NAME: Container <id> is not running`.",
		docParam("signal", `"KILL"`)),
	docMethod("rm", "", "`docker rm`: removes the container and everything it holds on the host. A running container needs "+
		"`force=True` (`You cannot remove a running container …`), which kills it first. `volumes=True` (`docker rm -v`) also "+
		"removes the anonymous volumes it mounted, but not named ones, not those it got through `volumes_from`, and not one "+
		"another container still mounts. The container of a foreground `run` always takes its anonymous volumes along when it "+
		"is removed (by `rm()` or when its sandbox closes), as `docker run --rm` does. Removing twice is fine.",
		docParam("force", "False"), docParam("volumes", "False")),
	docMethod("inspect", "dict", "`docker inspect`: the container's document, with Docker's keys and units: `Id`, `Name`, `State`, "+
		"`Config`, `HostConfig`, `NetworkSettings`, `Mounts`, `LogPath` and more ([inspect](#inspect))."),
	docMethod("read_file", "str", "`docker cp` out: the content of the file at the absolute `path` in the container. Symlinks resolve inside the container. A running container is read through its mount namespace (so `/etc/hosts` is the one the process sees); a stopped one through its root filesystem and, under the path of a bind or volume, through that directory on the host, so what an exited container wrote to a volume stays readable (a tmpfs's content is gone). Only a regular file is read (a FIFO, a device or a socket is refused without being opened), and at most 64 MiB: a larger file is an error naming its size and the limit.",
		docParam("path", "")),
	docMethod("write_file", "", "`docker cp` in: writes the string `content` to the absolute `path` (mode 0644, owned by root), creating parent directories; into a stopped container's binds and volumes as `read_file` reads them. An existing file must be a regular file; a symlink to a missing file, or to a missing directory on the way, is refused.",
		docParam("path", ""), docParam("content", "")),
	docMethod("commit", "str", "`docker commit`: stores the container's filesystem changes (its overlay upper layer) as a new "+
		"layer over its image's layers and tags the image `ref`; returns the image id (`sha256:…`). The new image's config is the "+
		"container's (`Env`, `Cmd`, `Entrypoint`, `WorkingDir`, `User`, `Labels`, `ExposedPorts`, `Volumes`), then `changes` applied: "+
		"Dockerfile lines `CMD`, `ENTRYPOINT`, `ENV`, `EXPOSE`, `LABEL`, `USER`, `VOLUME`, `WORKDIR` (`[\"ENV A=1\", \"CMD [\\\"sh\\\"]\"]`). "+
		"A running container is committed as it is, not paused as Docker does. Builds fixture images without a Dockerfile.",
		docParam("ref", ""), docParam("changes", "None")),
}
