package container

import (
	"os"
	"path/filepath"
	"testing"
)

// writeTree writes files (relative path → content) under a new directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// The counters come from the files of each cgroup version, with Docker's
// memory formula, and the OOM kills from the kernel's own counter: the
// v2 paths run here over a fake tree, since this host is v1 hybrid.
func TestReadCgroupStats(t *testing.T) {
	v2 := writeTree(t, map[string]string{
		"memory.current": "10485760\n",
		"memory.stat":    "anon 4194304\nfile 6291456\nactive_file 2097152\ninactive_file 4194304\n",
		"memory.max":     "16777216\n",
		"memory.events":  "low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\noom_group_kill 0\n",
		"cpu.stat":       "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\nnr_periods 30\nnr_throttled 7\nthrottled_usec 250000\n",
		"pids.current":   "3\n",
		"pids.max":       "64\n",
		"io.stat":        "8:0 rbytes=4096 wbytes=1048576 rios=1 wios=256 dbytes=0 dios=0\n253:0 rbytes=100 wbytes=0 rios=1 wios=0\n",
	})
	v2Unlimited := writeTree(t, map[string]string{
		"memory.current": "4096\n", "memory.max": "max\n", "pids.max": "max\n",
		"memory.events": "oom 0\noom_kill 0\n",
	})
	v1 := writeTree(t, map[string]string{
		"memory/memory.usage_in_bytes":           "10485760\n",
		"memory/memory.stat":                     "cache 6291456\nrss 4194304\ninactive_file 1\ntotal_inactive_file 4194304\n",
		"memory/memory.limit_in_bytes":           "9223372036854771712\n",
		"memory/memory.oom_control":              "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n",
		"cpuacct/cpuacct.usage":                  "1500000000\n",
		"cpu/cpu.stat":                           "nr_periods 30\nnr_throttled 7\nthrottled_time 250000000\n",
		"pids/pids.current":                      "3\n",
		"pids/pids.max":                          "max\n",
		"blkio/blkio.io_service_bytes_recursive": "",
		"blkio/blkio.throttle.io_service_bytes_recursive": "8:0 Read 4096\n8:0 Write 1048576\n8:0 Sync 0\n8:0 Total 1052672\n" +
			"253:0 Read 100\n253:0 Write 0\nTotal 1052772\n",
	})
	v1Dirs := map[string]string{}
	for _, c := range []string{"memory", "cpu", "cpuacct", "pids", "blkio"} {
		v1Dirs[c] = filepath.Join(v1, c)
	}
	tests := []struct {
		name string
		dirs statDirs
		want CgroupStats
	}{
		{"v2", statDirs{Unified: v2}, CgroupStats{
			CPUUsageNS: 1500000000, ThrottledPeriods: 7, ThrottledTimeNS: 250000000,
			MemoryUsage: 6291456, MemoryLimit: 16777216, Pids: 3, PidsLimit: 64,
			BlockRead: 4196, BlockWrite: 1048576, OOMKills: 2,
		}},
		{"v2 unlimited, controllers missing", statDirs{Unified: v2Unlimited}, CgroupStats{MemoryUsage: 4096}},
		{"v1", statDirs{V1: v1Dirs}, CgroupStats{
			CPUUsageNS: 1500000000, ThrottledPeriods: 7, ThrottledTimeNS: 250000000,
			MemoryUsage: 6291456, MemoryLimit: 0, Pids: 3, PidsLimit: 0,
			BlockRead: 4196, BlockWrite: 1048576, OOMKills: 1,
		}},
		{"v1 without controllers", statDirs{V1: map[string]string{}}, CgroupStats{}},
	}
	for _, tt := range tests {
		got, err := readCgroupStats(tt.dirs)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

// libcontainer's CgroupPaths become the directories stats reads: the
// unified one on a v2 host, the v1 controllers' otherwise.
func TestDirsOf(t *testing.T) {
	paths := map[string]string{"": "/sys/fs/cgroup/unified/berth-x", "memory": "/sys/fs/cgroup/memory/berth-x", "cpu": "/c"}
	if got := dirsOf(paths, true); got.Unified != paths[""] || got.V1 != nil {
		t.Errorf("v2: %+v", got)
	}
	if got := dirsOf(paths, false); got.Unified != "" || got.V1["memory"] != paths["memory"] || got.V1["cpu"] != "/c" {
		t.Errorf("v1: %+v", got)
	}
}

// A container's network counters come from its namespace's
// /proc/PID/net/dev, without lo.
func TestReadNetDev(t *testing.T) {
	data := []byte(`Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     140       2    0    0    0     0          0         0      140       2    0    0    0     0       0          0
  eth0:    1206      15    0    0    0     0          0         0      516       6    0    0    0     0       0          0
  eth1: 9000000000 7 0 0 0 0 0 0 42 1 0 0 0 0 0 0
`)
	got := readNetDev(data)
	want := map[string]NetDev{
		"eth0": {RxBytes: 1206, RxPackets: 15, TxBytes: 516, TxPackets: 6},
		"eth1": {RxBytes: 9000000000, RxPackets: 7, TxBytes: 42, TxPackets: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %+v, want %+v", k, got[k], v)
		}
	}
}

// OOMKilled is the kernel's kill counter of the cgroup, on v1 and v2: an
// OOM event without a kill is not a kill, and a cgroup without the files
// (no memory controller) had none.
func TestOOMKilledIn(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		v1    bool
		want  bool
	}{
		{"v2 killed", map[string]string{"memory.events": "low 0\nhigh 0\nmax 40\noom 1\noom_kill 1\noom_group_kill 0\n"}, false, true},
		{"v2 oom without a kill", map[string]string{"memory.events": "low 0\nhigh 0\nmax 40\noom 3\noom_kill 0\n"}, false, false},
		{"v2 no memory controller", map[string]string{"cgroup.procs": ""}, false, false},
		{"v1 killed", map[string]string{"memory/memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n"}, true, true},
		{"v1 none", map[string]string{"memory/memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"}, true, false},
	}
	for _, tt := range tests {
		root := writeTree(t, tt.files)
		dirs := statDirs{Unified: root}
		if tt.v1 {
			dirs = statDirs{V1: map[string]string{"memory": filepath.Join(root, "memory")}}
		}
		if got := oomKilledIn(dirs); got != tt.want {
			t.Errorf("%s: oomKilledIn = %v, want %v", tt.name, got, tt.want)
		}
	}
}
