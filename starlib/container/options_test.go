package container

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.starlark.net/starlark"

	"berth/runtime/engine"
	"berth/runtime/spec"
)

// parse evaluates "run(...)"-style arguments written in Starlark.
func parse(t *testing.T, call string) (*runArgs, error) {
	t.Helper()
	var got *runArgs
	var perr error
	probe := starlark.NewBuiltin("run", func(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
		got, perr = parseRunArgs(b.Name(), a, kw, true)
		return starlark.None, nil
	})
	if _, err := starlark.ExecFile(&starlark.Thread{}, "t.star", call, starlark.StringDict{"run": probe}); err != nil {
		t.Fatalf("%s: %v", call, err)
	}
	return got, perr
}

func TestParseRunArgs(t *testing.T) {
	fed := "in"
	tests := []struct {
		call string
		spec spec.Container
		run  engine.RunOptions
	}{
		{`run("busybox")`, spec.Container{Image: "busybox"}, engine.RunOptions{}},
		{`run("busybox", "sh -c 'echo a b'")`, spec.Container{Image: "busybox", Cmd: []string{"sh", "-c", "echo a b"}}, engine.RunOptions{}},
		{`run("busybox", ["echo", "x y"], detach=True, timeout="2s")`, spec.Container{Image: "busybox", Cmd: []string{"echo", "x y"}}, engine.RunOptions{Detach: true, Timeout: 2 * time.Second}},
		{`run("i", name="db", hostname="h", workdir="/w", user="nobody", stdin="in", read_only=True)`,
			spec.Container{Image: "i", Name: "db", Hostname: "h", Workdir: "/w", User: "nobody", Stdin: &fed, ReadOnly: true}, engine.RunOptions{}},
		{`run("i", env={"A": "1", "B": "2"})`, spec.Container{Image: "i", Env: []string{"A=1", "B=2"}}, engine.RunOptions{}},
		{`run("i", env=["A=1", "B=x=y"])`, spec.Container{Image: "i", Env: []string{"A=1", "B=x=y"}}, engine.RunOptions{}},
		{`run("i", entrypoint="/bin/sh")`, spec.Container{Image: "i", EntrypointSet: true, Entrypoint: []string{"/bin/sh"}}, engine.RunOptions{}},
		{`run("i", entrypoint="")`, spec.Container{Image: "i", EntrypointSet: true}, engine.RunOptions{}},
		{`run("i", entrypoint=["sh", "-c"])`, spec.Container{Image: "i", EntrypointSet: true, Entrypoint: []string{"sh", "-c"}}, engine.RunOptions{}},
		{`run("i", network="host", labels={"k": "v"})`, spec.Container{Image: "i", Network: "host", Labels: map[string]string{"k": "v"}}, engine.RunOptions{}},
		{`run("i", memory="64m", memory_swap=-1, cpu_shares=512, cpus=0.5, cpuset_cpus="0-1", pids_limit=10)`,
			spec.Container{Image: "i", Resources: spec.Resources{Memory: 64 << 20, MemorySwap: -1, CPUShares: 512, NanoCPUs: 5e8, CpusetCpus: "0-1", PidsLimit: 10}}, engine.RunOptions{}},
		{`run("i", cpu_period=100000, cpu_quota=50000, memory=1048576*8)`,
			spec.Container{Image: "i", Resources: spec.Resources{Memory: 8 << 20, CPUPeriod: 100000, CPUQuota: 50000}}, engine.RunOptions{}},
		{`run("i", device_read_bps={"/dev/vda": "1mb"}, device_write_bps={"/dev/vda": 2048}, device_read_iops={"/dev/vda": 10}, device_write_iops={"/dev/vda": 20})`,
			spec.Container{Image: "i", Resources: spec.Resources{
				BlkioRead: []spec.ThrottleDevice{{Path: "/dev/vda", Rate: 1 << 20}}, BlkioWrite: []spec.ThrottleDevice{{Path: "/dev/vda", Rate: 2048}},
				BlkioReadIO: []spec.ThrottleDevice{{Path: "/dev/vda", Rate: 10}}, BlkioWriteIO: []spec.ThrottleDevice{{Path: "/dev/vda", Rate: 20}}}}, engine.RunOptions{}},
		{`run("i", log_driver="none", log_opts={"max-size": "1k"})`,
			spec.Container{Image: "i", Log: spec.LogConfig{Type: "none", Config: map[string]string{"max-size": "1k"}}}, engine.RunOptions{}},
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
		{`run("i", cmd=3)`, `run: for parameter cmd: got int, want string or list of strings`},
		{`run("i", entrypoint=3)`, `run: for parameter entrypoint: got int, want list of strings`},
		{`run("i", stdin=3)`, `run: for parameter stdin: got int, want string`},
		{`run("i", cpus=-1)`, `want a number of CPUs such as 0.5`},
		{`run("i", memory=-2)`, `got -2, want a size such as "64m", a number of bytes, or -1`},
		{`run("i", device_read_bps=[])`, `want dict of device path to rate`},
		{`run("i", device_write_iops={"/dev/vda": "1mb"})`, `take a number of operations per second per device`},
		{`run("i", links=["a:b"])`, `run: links= needs networking, which this version of berth does not support yet`},
		{`run("i", mounts=[])`, `run: mounts= needs volumes`},
	}
	for _, tt := range tests {
		_, err := parse(t, tt.call)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.call, err, tt.want)
		}
	}
}
