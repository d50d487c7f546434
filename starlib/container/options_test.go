package container

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.starlark.net/starlark"

	"berth/runtime/backend"
	"berth/runtime/spec"
	"berth/starlib/dialect"
)

// parse evaluates one run(...) or create(...) call written in Starlark
// and returns what parseRunArgs made of its arguments.
func parse(t *testing.T, call string) (*runArgs, error) {
	t.Helper()
	var got *runArgs
	var perr error
	probe := func(isRun bool) *starlark.Builtin {
		name := map[bool]string{true: "run", false: "create"}[isRun]
		return starlark.NewBuiltin(name, func(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
			got, perr = parseRunArgs(b.Name(), a, kw, isRun, "/scenarios")
			return starlark.None, nil
		})
	}
	globals := starlark.StringDict{"run": probe(true), "create": probe(false)}
	if _, err := starlark.ExecFileOptions(dialect.FileOptions(), &starlark.Thread{}, "t.star", call, globals); err != nil {
		t.Fatalf("%s: %v", call, err)
	}
	return got, perr
}

func TestParseRunArgs(t *testing.T) {
	fed, empty := "in", ""
	img := func(s spec.Container) spec.Container { s.Image = "i"; return s }
	res := func(r spec.Resources) spec.Container { return spec.Container{Image: "i", Resources: r} }
	dev := func(rate uint64) []spec.ThrottleDevice { return []spec.ThrottleDevice{{Path: "/dev/vda", Rate: rate}} }
	tests := []struct {
		call string
		spec spec.Container
		run  backend.RunOptions
	}{
		// image and cmd
		{`run("busybox")`, spec.Container{Image: "busybox"}, backend.RunOptions{}},
		{`run("busybox:1.36", None)`, spec.Container{Image: "busybox:1.36"}, backend.RunOptions{}},
		{`run("i", "sh -c 'echo a b'")`, img(spec.Container{Cmd: []string{"sh", "-c", "echo a b"}}), backend.RunOptions{}},
		{`run("i", cmd=["echo", "x y"])`, img(spec.Container{Cmd: []string{"echo", "x y"}}), backend.RunOptions{}},
		{`run("i", ("a", "b"))`, img(spec.Container{Cmd: []string{"a", "b"}}), backend.RunOptions{}},
		{`run("i", [])`, img(spec.Container{}), backend.RunOptions{}}, // the image's CMD
		{`run("i", "")`, img(spec.Container{}), backend.RunOptions{}},
		// one row per option
		{`run("i", name="db")`, img(spec.Container{Name: "db"}), backend.RunOptions{}},
		{`run("i", detach=True)`, img(spec.Container{}), backend.RunOptions{Detach: true}},
		{`run("i", env={"A": "1", "B": "2"})`, img(spec.Container{Env: []string{"A=1", "B=2"}}), backend.RunOptions{}},
		{`run("i", env=["A=1", "B=x=y"])`, img(spec.Container{Env: []string{"A=1", "B=x=y"}}), backend.RunOptions{}},
		{`run("i", hostname="h")`, img(spec.Container{Hostname: "h"}), backend.RunOptions{}},
		{`run("i", workdir="/w")`, img(spec.Container{Workdir: "/w"}), backend.RunOptions{}},
		{`run("i", user="nobody")`, img(spec.Container{User: "nobody"}), backend.RunOptions{}},
		{`run("i", entrypoint="/bin/sh")`, img(spec.Container{EntrypointSet: true, Entrypoint: []string{"/bin/sh"}}), backend.RunOptions{}},
		{`run("i", entrypoint="")`, img(spec.Container{EntrypointSet: true}), backend.RunOptions{}},
		{`run("i", entrypoint=[])`, img(spec.Container{EntrypointSet: true}), backend.RunOptions{}},
		{`run("i", entrypoint=["sh", "-c"])`, img(spec.Container{EntrypointSet: true, Entrypoint: []string{"sh", "-c"}}), backend.RunOptions{}},
		{`run("i", stdin="in")`, img(spec.Container{Stdin: &fed}), backend.RunOptions{}},
		{`run("i", stdin="")`, img(spec.Container{Stdin: &empty}), backend.RunOptions{}},
		{`run("i", network="host")`, img(spec.Container{Network: "host"}), backend.RunOptions{}},
		{`run("i", read_only=True)`, img(spec.Container{ReadOnly: true}), backend.RunOptions{}},
		{`run("i", memory="64m")`, res(spec.Resources{Memory: 64 << 20}), backend.RunOptions{}},
		{`run("i", memory=1048576*8)`, res(spec.Resources{Memory: 8 << 20}), backend.RunOptions{}},
		{`run("i", memory="1g", memory_swap="2g")`, res(spec.Resources{Memory: 1 << 30, MemorySwap: 2 << 30}), backend.RunOptions{}},
		{`run("i", memory="64m", memory_swap=-1)`, res(spec.Resources{Memory: 64 << 20, MemorySwap: -1}), backend.RunOptions{}},
		{`run("i", memory="64m", memory_swap="-1")`, res(spec.Resources{Memory: 64 << 20, MemorySwap: -1}), backend.RunOptions{}},
		{`run("i", cpu_shares=512)`, res(spec.Resources{CPUShares: 512}), backend.RunOptions{}},
		{`run("i", cpus=0.5)`, res(spec.Resources{NanoCPUs: 5e8}), backend.RunOptions{}},
		{`run("i", cpus=2)`, res(spec.Resources{NanoCPUs: 2e9}), backend.RunOptions{}},
		{`run("i", cpus=0.333)`, res(spec.Resources{NanoCPUs: 333e6}), backend.RunOptions{}},
		{`run("i", cpu_period=100000)`, res(spec.Resources{CPUPeriod: 100000}), backend.RunOptions{}},
		{`run("i", cpu_quota=50000)`, res(spec.Resources{CPUQuota: 50000}), backend.RunOptions{}},
		{`run("i", cpuset_cpus="0-1")`, res(spec.Resources{CpusetCpus: "0-1"}), backend.RunOptions{}},
		{`run("i", device_read_bps={"/dev/vda": "1mb"})`, res(spec.Resources{BlkioRead: dev(1 << 20)}), backend.RunOptions{}},
		{`run("i", device_write_bps={"/dev/vda": 2048})`, res(spec.Resources{BlkioWrite: dev(2048)}), backend.RunOptions{}},
		{`run("i", device_read_iops={"/dev/vda": 10})`, res(spec.Resources{BlkioReadIO: dev(10)}), backend.RunOptions{}},
		{`run("i", device_write_iops={"/dev/vda": 20})`, res(spec.Resources{BlkioWriteIO: dev(20)}), backend.RunOptions{}},
		{`run("i", pids_limit=10)`, res(spec.Resources{PidsLimit: 10}), backend.RunOptions{}},
		{`run("i", memory="64m", memory_reservation="32m")`, res(spec.Resources{Memory: 64 << 20, MemoryReservation: 32 << 20}), backend.RunOptions{}},
		{`run("i", cpuset_mems="0")`, res(spec.Resources{CpusetMems: "0"}), backend.RunOptions{}},
		{`run("i", log_driver="none")`, img(spec.Container{Log: spec.LogConfig{Type: "none"}}), backend.RunOptions{}},
		{`run("i", log_opts={"max-size": "1k"})`, img(spec.Container{Log: spec.LogConfig{Config: map[string]string{"max-size": "1k"}}}), backend.RunOptions{}},
		{`run("i", labels={"k": "v"})`, img(spec.Container{Labels: map[string]string{"k": "v"}}), backend.RunOptions{}},
		{`run("i", timeout="2s")`, img(spec.Container{}), backend.RunOptions{Timeout: 2 * time.Second}},
		{`run("i", timeout=1.5)`, img(spec.Container{}), backend.RunOptions{Timeout: 1500 * time.Millisecond}},
		// None is the same as leaving an option out.
		{`run("i", None, name=None, detach=None, env=None, hostname=None, workdir=None, user=None,
			entrypoint=None, stdin=None, network=None, read_only=None, memory=None, memory_swap=None,
			cpu_shares=None, cpus=None, cpu_period=None, cpu_quota=None, cpuset_cpus=None,
			device_read_bps=None, device_write_bps=None, device_read_iops=None, device_write_iops=None,
			pids_limit=None, log_driver=None, log_opts=None, labels=None, timeout=None,
			aliases=None, ip=None, links=None, ports=None, volumes=None, mounts=None, volumes_from=None)`,
			img(spec.Container{}), backend.RunOptions{}},
		{`run("i", volumes=["/d", "data:/var/lib/mysql:ro", "./site:/www"])`, img(spec.Container{Mounts: []spec.Mount{
			{Type: spec.MountVolume, Target: "/d", Spec: "/d"},
			{Type: spec.MountVolume, Source: "data", Target: "/var/lib/mysql", ReadOnly: true, Spec: "data:/var/lib/mysql:ro"},
			{Type: spec.MountBind, Source: "/scenarios/site", Target: "/www", CreateSource: true, Spec: "./site:/www"},
		}}), backend.RunOptions{}},
		{`run("i", mounts=[{"type": "bind", "src": "www", "dst": "/www", "ro": True}, {"type": "tmpfs", "target": "/run", "size": "64m", "mode": 0o700}, {"source": "v1", "target": "/v", "nocopy": True}])`,
			img(spec.Container{Mounts: []spec.Mount{
				{Type: spec.MountBind, Source: "/scenarios/www", Target: "/www", ReadOnly: true},
				{Type: spec.MountTmpfs, Target: "/run", Size: 64 << 20, Mode: 0o700},
				{Type: spec.MountVolume, Source: "v1", Target: "/v", NoCopy: true},
			}}), backend.RunOptions{}},
		{`run("i", network="mynet", aliases=["web"], ip="10.1.0.9", links=["db:mysql"], ports=["8080:80", "127.0.0.1:5353:53/udp"])`,
			img(spec.Container{Network: "mynet", Aliases: []string{"web"}, IP: "10.1.0.9", Links: []string{"db:mysql"}, Ports: []string{"8080:80", "127.0.0.1:5353:53/udp"}}), backend.RunOptions{}},
		{`run("i", volumes_from=["a", "b:ro"])`, img(spec.Container{VolumesFrom: []string{"a", "b:ro"}}), backend.RunOptions{}},
		{`create("i", "true", detach=None, timeout=None)`, img(spec.Container{Cmd: []string{"true"}}), backend.RunOptions{}},
		{`create("i", name="x", memory="6m")`, img(spec.Container{Name: "x", Resources: spec.Resources{Memory: 6 << 20}}), backend.RunOptions{}},
	}
	for _, tt := range tests {
		got, err := parse(t, tt.call)
		if err != nil {
			t.Errorf("%s: %v", tt.call, err)
			continue
		}
		if d := cmp.Diff(tt.spec, got.spec, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("%s: spec (-want +got):\n%s", tt.call, d)
		}
		if got.run != tt.run {
			t.Errorf("%s: run options %+v, want %+v", tt.call, got.run, tt.run)
		}
	}
}

func TestParseRunArgsErrors(t *testing.T) {
	tests := []struct{ call, want string }{
		{`run()`, `run: missing argument for image`},
		{`run("i", bogus=1)`, `run: unexpected keyword argument "bogus"`},
		{`run("i", "a", "b")`, `run: got 3 positional arguments, want at most 2 (image and cmd): give options by name, such as name="db"`},
		{`run(3)`, `run: for parameter image: got int, want string`},
		{`run("i", cmd=3)`, `run: for parameter cmd: got int, want string or list of strings`},
		{`run("i", ["a", 1])`, `run: for parameter cmd: got list with int at index 1, want list of strings`},
		{`run("i", entrypoint=3)`, `run: for parameter entrypoint: got int, want list of strings`},
		{`run("i", stdin=3)`, `run: for parameter stdin: got int, want string`},
		{`run("i", env=3)`, `run: for parameter "env": got int, want dict of strings or list of "KEY=VALUE"`},
		{`run("i", env=["A"])`, `run: for parameter "env": got "A" at index 0, want "KEY=VALUE"`},
		{`run("i", labels={"a": 1})`, `run: for parameter "labels": got dict with int value for key "a", want dict of strings`},
		{`run("i", detach="yes")`, `run: for parameter "detach": got string, want bool`},
		{`run("i", cpus=-1)`, `run: for parameter "cpus": got -1, want a number of CPUs such as 0.5`},
		{`run("i", cpus="1")`, `run: for parameter "cpus": got string, want a number of CPUs such as 0.5`},
		{`run("i", memory=-2)`, `got -2, want a size such as "64m", a number of bytes, or -1`},
		{`run("i", memory=[])`, `run: for parameter "memory": got list, want a size such as "64m" or a number of bytes`},
		{`run("i", memory="12q")`, `run: for parameter "memory": invalid size: '12q': invalid suffix: 'q': want a number with an optional unit b, k, m, g, t or p, such as "64m"`},
		{`run("i", pids_limit="10")`, `run: for parameter "pids_limit": got string, want int`},
		{`run("i", pids_limit=1<<64)`, `run: for parameter "pids_limit": got 18446744073709551616, want an int of 64 bits`},
		{`run("i", memory=1<<63)`, `run: for parameter "memory": got 9223372036854775808, want a size`},
		{`run("i", memory="9223372036854775807g")`, `run: for parameter "memory": invalid size`},
		{`run("i", cpuset_mems=0)`, `run: for parameter "cpuset_mems": got int, want string`},
		{`run("i", device_read_bps=[])`, `run: for parameter "device_read_bps": got list, want dict of device path to rate, such as {"/dev/vda": "1mb"}`},
		{`run("i", device_read_bps={1: "1mb"})`, `got int key, want a device path such as "/dev/vda"`},
		{`run("i", device_write_bps={"/dev/vda": "fast"})`, `rate for /dev/vda: got "fast", want a size such as "1mb" or a positive number`},
		{`run("i", device_write_bps={"/dev/vda": -1})`, `rate for /dev/vda: got -1, want a size such as "1mb" or a positive number`},
		{`run("i", device_write_iops={"/dev/vda": "1mb"})`, `run: for parameter "device_write_iops": device_read_iops/device_write_iops take a number of operations per second per device, such as {"/dev/vda": 100}: got a size string`},
		{`run("i", timeout=[])`, `run: for parameter "timeout": got list, want duration string or number`},
		{`run("i", timeout="abc")`, `run: for parameter "timeout": invalid duration "abc"`},
		{`run("i", timeout="-1s")`, `run: for parameter "timeout": invalid duration "-1s": must not be negative`},
		{`run("i", detach=True, timeout="2s")`, `run: timeout= bounds a foreground run and means nothing with detach=True`},
		{`create("i", detach=True)`, `create: detach= applies to run only: create never starts the container`},
		{`create("i", timeout="1s")`, `create: timeout= applies to run only`},
		{`run("i", ports="8080:80")`, `run: for parameter "ports": got string, want list of strings`},
		{`run("i", aliases=[1])`, `run: for parameter "aliases": got list with int at index 0, want list of strings`},
		{`run("i", ip=3)`, `run: for parameter "ip": got int, want string`},
		{`run("i", volumes="/a:/b")`, `run: for parameter volumes: got string, want list of strings`},
		{`run("i", volumes=["/a:/b:bogus"])`, `run: invalid mode: bogus`},
		{`run("i", volumes=["a:/b"])`, `run: volume name is too short, names should be at least two alphanumeric characters`},
		{`run("i", mounts={})`, `run: for parameter mounts: got dict, want a list of dicts`},
		{`run("i", mounts=["/a:/b"])`, `run: mounts[0]: got string, want a dict`},
		{`run("i", mounts=[{"type": "bind", "target": "/b"}])`, `run: mounts[0]: invalid mount config for type "bind": field Source must not be empty`},
		{`run("i", mounts=[{"typ": "bind"}])`, `run: mounts[0]: unknown key "typ": want one of type, source, target, readonly, nocopy, size, mode`},
		{`run("i", mounts=[{"type": "tmpfs", "target": "/t", "size": "lots"}])`, `run: mounts[0]: size: invalid size: 'lots'`},
		{`run("i", mounts=[{"type": "tmpfs", "target": "/t", "readonly": "yes"}])`, `run: mounts[0]: readonly: got string, want True or False`},
		{`run("i", mounts=[{"type": "nfs", "target": "/t"}])`, `run: mounts[0]: invalid mount type "nfs": want "bind", "volume" or "tmpfs"`},
		{`run("i", volumes_from=["x:bogus"])`, `run: invalid mode: bogus: volumes_from takes ro or rw`},
	}
	for _, tt := range tests {
		_, err := parse(t, tt.call)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.call, err, tt.want)
		}
	}
}

func TestParseSignal(t *testing.T) {
	tests := []struct {
		arg  starlark.Value
		want int
		err  string
	}{
		{starlark.String("KILL"), 9, ""},
		{starlark.String("SIGTERM"), 15, ""},
		{starlark.String("usr1"), 10, ""},
		{starlark.String("RTMIN+1"), 35, ""},
		{starlark.String("15"), 15, ""},
		{starlark.MakeInt(2), 2, ""},
		{starlark.String("FOO"), 0, `invalid signal: "FOO": want a signal name such as "TERM", "SIGUSR1" or "RTMIN+1", or a number from 1 to 64`},
		{starlark.MakeInt(0), 0, `got 0, want a signal name`},
		{starlark.MakeInt(65), 0, `got 65, want a signal name`},
		{starlark.NewList(nil), 0, `got list, want a signal name`},
	}
	for _, tt := range tests {
		got, err := parseSignal(tt.arg)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseSignal(%s): got %v, %v; want error %q", tt.arg, got, err, tt.err)
			}
			continue
		}
		if err != nil || int(got) != tt.want {
			t.Errorf("parseSignal(%s) = %d, %v; want %d", tt.arg, got, err, tt.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		arg  starlark.Value
		want time.Time
	}{
		{starlark.None, time.Time{}},
		{starlark.String("10s"), now.Add(-10 * time.Second)},
		{starlark.String("2026-01-02T03:00:00Z"), time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)},
		{starlark.MakeInt(1767322800), time.Unix(1767322800, 0)},
		// Large floats print with an exponent in Starlark: still unix seconds.
		{starlark.Float(1767322800.5), time.Unix(1767322800, 5e8)},
	}
	for _, tt := range tests {
		got, err := parseTime("since", tt.arg, now)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseTime(%s) = %v, %v; want %v", tt.arg, got, err, tt.want)
		}
	}
	for arg, want := range map[starlark.Value]string{
		starlark.String("bogus"): `invalid value for "since": failed to parse value as time or duration: "bogus"`,
		starlark.NewList(nil):    `invalid value for "since": got list, want RFC 3339 time, unix seconds or a duration such as "10s"`,
	} {
		if _, err := parseTime("since", arg, now); err == nil || err.Error() != want {
			t.Errorf("parseTime(%s): got %v, want %q", arg, err, want)
		}
	}
}

func TestParseTail(t *testing.T) {
	tests := []struct {
		arg  starlark.Value
		want int
		err  string
	}{
		{starlark.None, -1, ""},
		{starlark.String("all"), -1, ""},
		{starlark.MakeInt(-1), -1, ""},
		{starlark.MakeInt(0), 0, ""},
		{starlark.MakeInt(5), 5, ""},
		{starlark.String("5"), 5, ""},
		{starlark.MakeInt(-5), 0, `got -5, want a number of lines (0 or more) or "all"`},
		{starlark.String("x"), 0, `got "x", want a number of lines or "all"`},
		{starlark.Bool(true), 0, `got bool, want a number of lines or "all"`},
	}
	for _, tt := range tests {
		got, err := parseTail(tt.arg)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("parseTail(%s): got %d, %v; want error %q", tt.arg, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseTail(%s) = %d, %v; want %d", tt.arg, got, err, tt.want)
		}
	}
}
