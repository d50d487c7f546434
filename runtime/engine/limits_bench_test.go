package engine

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"berth/runtime/backend"
	"berth/runtime/spec"
)

// allLimits sets every limit run takes: what a start with limits pays
// for (cgroup files written by libcontainer, the cgroup view) on top of
// one without. The cpuset is every online CPU: a cpuset of one CPU makes
// the Go runtime of runc's init start with GOMAXPROCS=1, which saves 1-2
// ms of the start on this 2-core VM and hid the limits' own cost.
func allLimits() spec.Resources {
	cpus := "0"
	if data, err := os.ReadFile("/sys/devices/system/cpu/online"); err == nil {
		cpus = strings.TrimSpace(string(data))
	}
	r := spec.Resources{
		Memory: 64 << 20, MemorySwap: 128 << 20, MemoryReservation: 32 << 20,
		CPUShares: 512, NanoCPUs: 1e9, CpusetCpus: cpus, CpusetMems: "0", PidsLimit: 100,
	}
	for _, dev := range []string{"/dev/vda", "/dev/sda", "/dev/nvme0n1", "/dev/xvda"} {
		if _, err := os.Stat(dev); err == nil {
			d := []spec.ThrottleDevice{{Path: dev, Rate: 100 << 20}}
			r.BlkioRead, r.BlkioWrite, r.BlkioReadIO, r.BlkioWriteIO = d, d, []spec.ThrottleDevice{{Path: dev, Rate: 10000}}, []spec.ThrottleDevice{{Path: dev, Rate: 10000}}
			break
		}
	}
	return r
}

func median(samples []time.Duration) float64 {
	if len(samples) == 0 {
		return 0
	}
	slices.Sort(samples)
	return float64(samples[len(samples)/2].Microseconds()) / 1000
}

// pairedOverhead is the median of with[i]-without[i] in ms: each pair ran
// back to back, so the machine's slow drift (the medians of whole runs
// move by 10 ms on this VM) cancels out, as it does not in the difference
// of the two medians.
func pairedOverhead(with, without []time.Duration) float64 {
	diffs := make([]time.Duration, 0, len(with))
	for i := range min(len(with), len(without)) {
		diffs = append(diffs, with[i]-without[i])
	}
	return median(diffs)
}

// reportMedian adds the median of samples as a metric: the targets are
// medians, and ns/op is a mean that one slow sample on a busy machine
// moves.
func reportMedian(b *testing.B, samples []time.Duration) {
	b.ReportMetric(median(samples), "median-ms")
}

// BenchmarkRunLimitsOverhead is run("busybox", "true") with every limit
// set and with none, alternated (each iteration runs both, in turn first)
// so that machine noise hits both alike. Target: starting with limits
// ≤ 3 ms (median) over starting without: start-overhead-ms times Start
// alone; overhead-ms is create, start, wait and remove. Both are medians
// of paired differences (pairedOverhead).
func BenchmarkRunLimitsOverhead(b *testing.B) {
	if testEngine == nil {
		b.Skip("the engine needs root")
	}
	sb := newSandbox(b.Name(), nil)
	defer sb.Close()
	plain := spec.Container{Image: "busybox", Cmd: []string{"true"}, Network: "none"}
	limited := plain
	limited.Resources = allLimits()
	var none, all, startNone, startAll []time.Duration
	ctx := context.Background()
	run := func(s spec.Container, out, starts *[]time.Duration) {
		begin := time.Now()
		c, err := sb.Create(ctx, s)
		if err != nil {
			b.Fatal(err)
		}
		startAt := time.Now()
		if err := c.Start(ctx, backend.StartOptions{}); err != nil {
			b.Fatal(err)
		}
		*starts = append(*starts, time.Since(startAt))
		if _, err := c.Wait(ctx); err != nil {
			b.Fatal(err)
		}
		if err := c.Remove(ctx, backend.RemoveOptions{}); err != nil {
			b.Fatal(err)
		}
		*out = append(*out, time.Since(begin))
	}
	i := 0
	for b.Loop() {
		if i%2 == 0 {
			run(plain, &none, &startNone)
			run(limited, &all, &startAll)
		} else {
			run(limited, &all, &startAll)
			run(plain, &none, &startNone)
		}
		i++
	}
	n, a := median(none), median(all)
	b.ReportMetric(n, "none-median-ms")
	b.ReportMetric(a, "limits-median-ms")
	b.ReportMetric(pairedOverhead(all, none), "overhead-ms")
	// Start alone (Create, Wait and Remove not counted): the cgroup files
	// and the cgroup view are written and mounted there.
	b.ReportMetric(pairedOverhead(startAll, startNone), "start-overhead-ms")
}

// runningWithLimits starts a detached sleeper with every limit set.
func runningWithLimits(b *testing.B) backend.Container {
	if testEngine == nil {
		b.Skip("the engine needs root")
	}
	sb := newSandbox(b.Name(), nil)
	b.Cleanup(func() { sb.Close() })
	s := spec.Container{Image: "busybox", Cmd: []string{"sleep", "3600"}, Resources: allLimits()}
	c, err := sb.Run(context.Background(), s, backend.RunOptions{Detach: true})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkUpdate is update(memory=..., memory_swap=..., cpus=...) on a
// running container, alternating two values. Target: median ≤ 5 ms.
func BenchmarkUpdate(b *testing.B) {
	c := runningWithLimits(b)
	mems := [2]int64{64 << 20, 96 << 20}
	cpus := [2]int64{1e9, 5e8}
	var samples []time.Duration
	i := 0
	for b.Loop() {
		swap := mems[1] // at least either memory
		p := backend.ResourcesPatch{Memory: &mems[i%2], MemorySwap: &swap, NanoCPUs: &cpus[i%2]}
		start := time.Now()
		if err := c.Update(context.Background(), p); err != nil {
			b.Fatal(err)
		}
		samples = append(samples, time.Since(start))
		i++
	}
	reportMedian(b, samples)
}

// BenchmarkStats is stats() of a running container. Target: median ≤ 2 ms.
func BenchmarkStats(b *testing.B) {
	c := runningWithLimits(b)
	var samples []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := c.Stats(context.Background()); err != nil {
			b.Fatal(err)
		}
		samples = append(samples, time.Since(start))
	}
	reportMedian(b, samples)
}
