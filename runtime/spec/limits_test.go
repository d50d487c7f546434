package spec

import "testing"

// Bad values are refused with their range, and Docker's texts, which do
// not name the value, get it appended.
func TestErrorsNameTheValue(t *testing.T) {
	host := Host{NumCPU: 2, CPUs: []int{0, 1}, Mems: []int{0}}
	tests := []struct {
		name string
		c    Container
		want string
	}{
		{"memory near 2^63", Container{Resources: Resources{Memory: 1<<63 - 1}},
			"invalid memory 9223372036854775807: want at most 1 EiB (1152921504606846976 bytes), or 0 for unlimited"},
		{"memory just above 1 EiB", Container{Resources: Resources{Memory: 1<<60 + 1}}, "invalid memory 1152921504606846977"},
		{"memory of 1 EiB", Container{Resources: Resources{Memory: 1 << 60}}, ""},
		{"cpu_quota near 2^63", Container{Resources: Resources{CPUQuota: 1<<63 - 1}}, "invalid cpu_quota 9223372036854775807: want at most 17592186044415 µs"},
		{"cpu_quota at the kernel's maximum", Container{Resources: Resources{CPUQuota: 1<<44 - 1}}, ""},
		{"pids_limit near 2^63", Container{Resources: Resources{PidsLimit: 1<<63 - 1}},
			"invalid pids_limit 9223372036854775807: want from 1 to 4194304, or 0 or -1 for unlimited"},
		{"pids_limit at the kernel's maximum", Container{Resources: Resources{PidsLimit: 4194304}}, ""},
		{"pids_limit below -1", Container{Resources: Resources{PidsLimit: -2}}, "invalid pids_limit -2"},
		{"memory too small", Container{Resources: Resources{Memory: 4 << 20}}, "Minimum memory limit allowed is 6MB: got memory 4194304"},
		{"swap without memory", Container{Resources: Resources{MemorySwap: 64 << 20}}, "see usage: got memory_swap 67108864 without memory"},
		{"swap below memory", Container{Resources: Resources{Memory: 64 << 20, MemorySwap: 32 << 20}}, "see usage: got memory_swap 33554432, memory 67108864"},
		{"cpus and quota", Container{Resources: Resources{NanoCPUs: 5e8, CPUQuota: 50000}}, "cannot both be set: got cpus 0.5 with cpu_quota 50000, cpu_period 0"},
		{"too many cpus", Container{Resources: Resources{NanoCPUs: 3e9}}, "as there are only 2 CPUs available: got cpus 3"},
		{"bad period", Container{Resources: Resources{CPUPeriod: 2000000}}, "larger than 1s (i.e. 1000000): got cpu_period 2000000"},
		{"tiny quota", Container{Resources: Resources{CPUQuota: 500}}, "(i.e. 1000): got cpu_quota 500"},
		{"swap near 2^63", Container{Resources: Resources{Memory: 64 << 20, MemorySwap: 1<<63 - 1}}, "invalid memory_swap 9223372036854775807: want a size up to 2 EiB"},
		{"reservation near 2^63", Container{Resources: Resources{MemoryReservation: 1<<63 - 1}}, "invalid memory_reservation 9223372036854775807: want a size from 6 MB to 1 EiB"},
		{"reservation too small", Container{Resources: Resources{MemoryReservation: 1 << 20}}, "Minimum memory reservation allowed is 6MB: got memory_reservation 1048576"},
		{"reservation above memory", Container{Resources: Resources{Memory: 16 << 20, MemoryReservation: 32 << 20}},
			"Minimum memory limit can not be less than memory reservation limit, see usage: got memory 16777216, memory_reservation 33554432"},
		{"reservation alone", Container{Resources: Resources{MemoryReservation: 32 << 20}}, ""},
		{"bad cpuset_mems", Container{Resources: Resources{CpusetMems: "x"}}, "Invalid value x for cpuset mems"},
		{"missing memory node", Container{Resources: Resources{CpusetMems: "1"}}, "Requested memory nodes are not available - requested 1, available: 0"},
		{"memory node 0", Container{Resources: Resources{CpusetMems: "0"}}, ""},
		{"hostname in container mode", Container{Network: "container:db", Hostname: "h"}, `hostname and the network mode: got hostname "h" with network "container:db"`},
		{"ports in container mode", Container{Network: "container:db", Ports: []string{"80:80"}}, `got ports ["80:80"] with network "container:db"`},
		{"links in container mode", Container{Network: "container:db", Links: []string{"a"}}, `got links ["a"] with network "container:db"`},
		{"links on host", Container{Network: "host", Links: []string{"a"}}, `got links ["a"]`},
		{"alias on the default bridge", Container{Aliases: []string{"web"}}, `user-defined networks: got aliases ["web"] on network "bridge"`},
		{"ip on host", Container{Network: "host", IP: "10.0.0.2"}, `user defined networks only: got ip 10.0.0.2 on network "host"`},
		{"alias with a space", Container{Network: "mynet", Aliases: []string{"a b"}}, `invalid alias "a b"`},
		{"link alias with a space", Container{Links: []string{"db:my db"}}, `invalid link "db:my db": invalid alias "my db"`},
		{"user 1:2:3", Container{User: "1:2:3"}, `invalid user "1:2:3"`},
		{"env key with =", Container{Env: []string{"A B=1"}}, `invalid environment variable name "A B"`},
		{"tmpfs with a source", Container{Mounts: []Mount{{Type: MountTmpfs, Source: "/x", Target: "/run"}}}, `source must not be specified: got source "/x"`},
		{"short volume name", Container{Mounts: []Mount{{Type: MountVolume, Source: "v", Target: "/v"}}}, `at least two alphanumeric characters: got "v"`},
	}
	for _, tt := range tests {
		tt.c.Image = "busybox"
		checkErr(t, tt.name, tt.c.Validate(host), tt.want)
	}
}
