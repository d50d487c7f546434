package spec

import (
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	host := Host{NumCPU: 2, CPUs: []int{0, 1}}
	ok := func(c Container) Container {
		if c.Image == "" {
			c.Image = "busybox"
		}
		return c
	}
	tests := []struct {
		name string
		c    Container
		want string // "" = valid
	}{
		{"minimal", ok(Container{}), ""},
		{"good name", ok(Container{Name: "wordpressdb"}), ""},
		{"one-char name", ok(Container{Name: "a"}), "Invalid container name (a)"},
		{"bad name", ok(Container{Name: "has space"}), "Invalid container name (has space), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"},
		{"no image", Container{}, "image: want an image reference"},
		{"env without =", ok(Container{Env: []string{"A"}}), `invalid environment variable "A": want "KEY=value"`},
		{"env empty key", ok(Container{Env: []string{"=v"}}), "invalid environment variable: =v"},
		{"NUL in cmd", ok(Container{Cmd: []string{"echo", "a\x00b"}}), `invalid cmd: argument 1 ("a\x00b") contains a NUL byte`},
		{"NUL in entrypoint", ok(Container{Entrypoint: []string{"sh\x00"}, EntrypointSet: true}), `invalid entrypoint: argument 0 ("sh\x00") contains a NUL byte`},
		{"NUL in env value", ok(Container{Env: []string{"A=1", "B=x\x00y"}}), `invalid environment variable 1 ("B=x\x00y"): it contains a NUL byte`},
		{"relative workdir", ok(Container{Workdir: "rel"}), "the working directory 'rel' is invalid, it needs to be an absolute path"},
		{"bad hostname", ok(Container{Hostname: "a_b"}), `invalid hostname "a_b"`},
		{"user network", ok(Container{Network: "mynet", Aliases: []string{"web"}, IP: "10.1.0.5"}), ""},
		{"container mode without name", ok(Container{Network: "container:"}), `invalid network "container:": want "container:NAME"`},
		{"container mode and hostname", ok(Container{Network: "container:db", Hostname: "h"}), "conflicting options: hostname and the network mode"},
		{"container mode and ports", ok(Container{Network: "container:db", Ports: []string{"80:80"}}), "conflicting options: port publishing and the container type network mode"},
		{"container mode and links", ok(Container{Network: "container:db", Links: []string{"a"}}), "conflicting options: container type network can't be used with links"},
		{"host and links", ok(Container{Network: "host", Links: []string{"a:b"}}), "conflicting options: host type networking can't be used with links"},
		{"alias on the default bridge", ok(Container{Aliases: []string{"web"}}), "network-scoped aliases are only supported for user-defined networks"},
		{"alias on bridge", ok(Container{Network: "bridge", Aliases: []string{"web"}}), "network-scoped aliases are only supported for user-defined networks"},
		{"ip on the default bridge", ok(Container{IP: "172.17.0.9"}), "user specified IP address is supported on user defined networks only"},
		{"bad ip", ok(Container{Network: "mynet", IP: "10.1.0"}), "invalid IPv4 address: 10.1.0"},
		{"bad link", ok(Container{Links: []string{"a:"}}), `invalid link "a:": want "name:alias" or "name"`},
		{"links on the default bridge", ok(Container{Links: []string{"db:mysql", "cache"}}), ""},
		{"memory too small", ok(Container{Resources: Resources{Memory: 4 << 20}}), "Minimum memory limit allowed is 6MB"},
		{"swap without memory", ok(Container{Resources: Resources{MemorySwap: 64 << 20}}), "You should always set the Memory limit when using Memoryswap limit, see usage"},
		{"swap below memory", ok(Container{Resources: Resources{Memory: 64 << 20, MemorySwap: 32 << 20}}), "Minimum memoryswap limit should be larger than memory limit, see usage"},
		{"swap unlimited", ok(Container{Resources: Resources{Memory: 64 << 20, MemorySwap: -1}}), ""},
		{"cpus and quota", ok(Container{Resources: Resources{NanoCPUs: 5e8, CPUQuota: 50000}}), "Conflicting options: Nano CPUs and CPU Quota cannot both be set"},
		{"too many cpus", ok(Container{Resources: Resources{NanoCPUs: 3e9}}), "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"},
		{"half a cpu", ok(Container{Resources: Resources{NanoCPUs: 5e8}}), ""},
		{"tiny quota", ok(Container{Resources: Resources{CPUQuota: 500}}), "CPU cfs quota can not be less than 1ms (i.e. 1000)"},
		{"bad period", ok(Container{Resources: Resources{CPUPeriod: 2000000}}), "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)"},
		{"cpuset missing cpu", ok(Container{Resources: Resources{CpusetCpus: "5"}}), "Requested CPUs are not available - requested 5, available: 0-1"},
		{"cpuset bad", ok(Container{Resources: Resources{CpusetCpus: "abc"}}), "Invalid value abc for cpuset cpus: invalid format: abc"},
		{"cpuset range", ok(Container{Resources: Resources{CpusetCpus: "0-1"}}), ""},
		{"cpu shares of 1", ok(Container{Resources: Resources{CPUShares: 1}}), "invalid cpu_shares 1: want a weight from 2 to 262144"},
		{"cpu shares of 2", ok(Container{Resources: Resources{CPUShares: 2}}), ""},
		{"blkio not a device", ok(Container{Resources: Resources{BlkioWrite: []ThrottleDevice{{Path: "vda", Rate: 1}}}}), `invalid device path "vda"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Validate(host)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%v does not wrap ErrInvalid", err)
			}
		})
	}
}

func TestNormalizeDoublesSwap(t *testing.T) {
	r := Resources{Memory: 64 << 20}
	r.Normalize()
	if r.MemorySwap != 128<<20 {
		t.Errorf("MemorySwap = %d, want twice the memory", r.MemorySwap)
	}
}

func TestFormatCPUList(t *testing.T) {
	for in, want := range map[string]string{"": "", "0": "0", "0,1": "0-1", "0,2,3,5": "0,2-3,5"} {
		var cpus []int
		for _, f := range strings.Split(in, ",") {
			if f != "" {
				cpus = append(cpus, int(f[0]-'0'))
			}
		}
		if got := formatCPUList(cpus); got != want {
			t.Errorf("formatCPUList(%v) = %q, want %q", cpus, got, want)
		}
	}
}
