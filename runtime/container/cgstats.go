package container

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// CgroupStats are the counters docker stats reads from a container's
// cgroup, read straight from the cgroup files (only those it needs:
// libcontainer's Stats reads every controller's every file).
type CgroupStats struct {
	CPUUsageNS       uint64
	ThrottledPeriods uint64
	ThrottledTimeNS  uint64
	// MemoryUsage is Docker's: usage without the inactive file cache
	// (usage - total_inactive_file on v1, memory.current - inactive_file
	// on v2), the memory the kernel could not simply drop.
	MemoryUsage uint64
	MemoryLimit uint64 // 0 = unlimited
	Pids        uint64
	PidsLimit   uint64 // 0 = unlimited
	BlockRead   uint64 // bytes
	BlockWrite  uint64 // bytes
	// OOMKills counts the OOM killer's kills in the cgroup (oom_kill),
	// counted by the kernel rather than by an event listener: on v2
	// libcontainer's notifier fires again after the first kill.
	OOMKills uint64
}

// unlimitedFrom: v1 shows no limit as a huge page-rounded number
// (9223372036854771712); anything this large is no limit.
const unlimitedFrom = 1 << 62

// statDirs are where one container's cgroup files are: Unified on a
// cgroup v2 host, else one directory per v1 controller.
type statDirs struct {
	Unified string
	V1      map[string]string // "memory", "cpuacct", "cpu", "pids", "blkio"
}

// readCgroupStats reads the counters from dirs.
func readCgroupStats(dirs statDirs) (CgroupStats, error) {
	if dirs.Unified != "" {
		return readStatsV2(dirs.Unified)
	}
	return readStatsV1(dirs.V1)
}

func readStatsV1(dirs map[string]string) (CgroupStats, error) {
	var s CgroupStats
	var r fileReader
	if d := dirs["memory"]; d != "" {
		usage := r.uint(d, "memory.usage_in_bytes")
		inactive := r.key(d, "memory.stat", "total_inactive_file")
		s.MemoryUsage = sub(usage, inactive)
		if lim := r.uint(d, "memory.limit_in_bytes"); lim < unlimitedFrom {
			s.MemoryLimit = lim
		}
		s.OOMKills = r.key(d, "memory.oom_control", "oom_kill")
	}
	if d := dirs["cpuacct"]; d != "" {
		s.CPUUsageNS = r.uint(d, "cpuacct.usage")
	}
	if d := dirs["cpu"]; d != "" {
		s.ThrottledPeriods = r.key(d, "cpu.stat", "nr_throttled")
		s.ThrottledTimeNS = r.key(d, "cpu.stat", "throttled_time")
	}
	if d := dirs["pids"]; d != "" {
		s.Pids = r.uint(d, "pids.current")
		s.PidsLimit = r.uint(d, "pids.max") // "max" reads as 0
	}
	if d := dirs["blkio"]; d != "" {
		// The scheduler's counters when it keeps them (cfq, bfq), else
		// the throttle layer's, as libcontainer and Docker fall back.
		s.BlockRead, s.BlockWrite = r.blkioV1(d, "blkio.io_service_bytes_recursive")
		if s.BlockRead == 0 && s.BlockWrite == 0 {
			s.BlockRead, s.BlockWrite = r.blkioV1(d, "blkio.throttle.io_service_bytes_recursive")
		}
	}
	return s, r.err
}

func readStatsV2(d string) (CgroupStats, error) {
	var s CgroupStats
	var r fileReader
	s.MemoryUsage = sub(r.uint(d, "memory.current"), r.key(d, "memory.stat", "inactive_file"))
	s.MemoryLimit = r.uint(d, "memory.max")
	s.OOMKills = r.key(d, "memory.events", "oom_kill")
	s.CPUUsageNS = r.key(d, "cpu.stat", "usage_usec") * 1000
	s.ThrottledPeriods = r.key(d, "cpu.stat", "nr_throttled")
	s.ThrottledTimeNS = r.key(d, "cpu.stat", "throttled_usec") * 1000
	s.Pids = r.uint(d, "pids.current")
	s.PidsLimit = r.uint(d, "pids.max")
	s.BlockRead, s.BlockWrite = r.ioStatV2(d)
	return s, r.err
}

func sub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}

// fileReader reads cgroup files, keeping the first error. A missing file
// reads as zero: a controller the kernel lacks has nothing to count.
type fileReader struct {
	err   error
	cache map[string][]byte // a file read for several keys is read once
}

func (r *fileReader) read(dir, name string) []byte {
	path := filepath.Join(dir, name)
	if data, ok := r.cache[path]; ok {
		return data
	}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) && r.err == nil {
		r.err = fmt.Errorf("read cgroup stats: %w", err)
	}
	if r.cache == nil {
		r.cache = map[string][]byte{}
	}
	r.cache[path] = data
	return data
}

// uint reads a file holding one number; "max" is 0 (no limit).
func (r *fileReader) uint(dir, name string) uint64 {
	v := strings.TrimSpace(string(r.read(dir, name)))
	n, _ := strconv.ParseUint(v, 10, 64)
	return n
}

// key reads the value of "key value" in a flat keyed file (memory.stat,
// cpu.stat, memory.events, memory.oom_control).
func (r *fileReader) key(dir, name, key string) uint64 {
	sc := bufio.NewScanner(bytes.NewReader(r.read(dir, name)))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " ")
		if ok && k == key {
			n, _ := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

// blkioV1 sums the Read and Write lines ("8:0 Read 4096") of a v1
// io_service_bytes file, as docker stats sums every device.
func (r *fileReader) blkioV1(dir, name string) (read, write uint64) {
	sc := bufio.NewScanner(bytes.NewReader(r.read(dir, name)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			continue
		}
		n, _ := strconv.ParseUint(f[2], 10, 64)
		switch f[1] {
		case "Read":
			read += n
		case "Write":
			write += n
		}
	}
	return read, write
}

// ioStatV2 sums rbytes and wbytes of io.stat ("8:0 rbytes=1 wbytes=2 …").
func (r *fileReader) ioStatV2(dir string) (read, write uint64) {
	sc := bufio.NewScanner(bytes.NewReader(r.read(dir, "io.stat")))
	for sc.Scan() {
		for _, f := range strings.Fields(sc.Text()) {
			k, v, _ := strings.Cut(f, "=")
			n, _ := strconv.ParseUint(v, 10, 64)
			switch k {
			case "rbytes":
				read += n
			case "wbytes":
				write += n
			}
		}
	}
	return read, write
}

// NetDev is one interface's counters from /proc/PID/net/dev.
type NetDev struct {
	RxBytes, RxPackets, TxBytes, TxPackets uint64
}

// readNetDev parses a /proc/PID/net/dev, which shows the namespace of
// PID, without lo (docker stats shows the container's networks only).
func readNetDev(data []byte) map[string]NetDev {
	out := map[string]NetDev{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		name = strings.TrimSpace(name)
		if !ok || name == "lo" || strings.Contains(name, "|") {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 10 {
			continue
		}
		n := func(i int) uint64 { v, _ := strconv.ParseUint(f[i], 10, 64); return v }
		out[name] = NetDev{RxBytes: n(0), RxPackets: n(1), TxBytes: n(8), TxPackets: n(9)}
	}
	return out
}
