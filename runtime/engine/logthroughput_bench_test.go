package engine

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"berth/runtime/backend"
	"berth/runtime/capture"
	"berth/runtime/spec"
)

// BenchmarkLogThroughput: a busybox container writes BERTH_LOGBENCH_MB
// (default 200) MB of 80-byte lines (79 characters and a newline) with
// log_driver none, through json-file, and through syslog over UDP to a
// capture receiver. Reported: wall-ms (run start to exit: ns/op also
// counts the remove), MB/s, lines/s, the test process's peak RSS
// (VmHWM), and for syslog what the receiver kept, what it dropped (past
// its bounds, or UDP datagrams the kernel dropped at its socket: the
// sender cannot know of those) and log_drops; kept + dropped + log_drops
// is every line. Target (issue 12): json-file ≤ 1.5× the none time.
func BenchmarkLogThroughput(b *testing.B) {
	if testEngine == nil {
		b.Skip("the engine needs root")
	}
	mb := 200
	if v := os.Getenv("BERTH_LOGBENCH_MB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("BERTH_LOGBENCH_MB=%q: want a positive whole number of MB", v)
		}
		mb = n
	}
	bytesOut := int64(mb) << 20
	lines := float64(bytesOut) / 80
	line := strings.Repeat("x", 79)
	cmd := []string{"sh", "-c", "yes " + line + " | head -c " + strconv.FormatInt(bytesOut, 10)}
	for _, driver := range []string{"none", "json-file", "syslog-udp"} {
		b.Run(driver, func(b *testing.B) {
			sb := newSandbox(b.Name(), nil)
			defer sb.Close()
			var wall time.Duration
			var kept, dropped, kernel, drops int64
			for b.Loop() {
				s := spec.Container{Image: "busybox", Cmd: cmd, Log: spec.LogConfig{Type: driver}}
				var rcv *capture.SyslogReceiver
				if driver == "syslog-udp" {
					var err error
					if rcv, err = capture.ListenSyslog("udp", ""); err != nil {
						b.Fatal(err)
					}
					s.Log = spec.LogConfig{Type: "syslog", Config: map[string]string{"syslog-address": rcv.Address()}}
				}
				start := time.Now()
				c, err := sb.Run(context.Background(), s, backend.RunOptions{})
				if err != nil {
					b.Fatal(err)
				}
				wall += time.Since(start)
				if st := c.State(); st.ExitCode != 0 {
					b.Fatalf("producer exited %d", st.ExitCode)
				}
				if rcv != nil {
					b.StopTimer()
					k, d := settledCount(rcv)
					kept, dropped, kernel = kept+k, dropped+d, kernel+rcv.KernelDropped()
					drops += c.State().LogDrops
					rcv.Close()
					b.StartTimer()
				}
				if err := c.Remove(context.Background(), backend.RemoveOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			n := float64(b.N)
			sec := wall.Seconds() / n
			b.ReportMetric(float64(wall.Milliseconds())/n, "wall-ms")
			b.ReportMetric(float64(mb)/sec, "MB/s")
			b.ReportMetric(lines/sec, "lines/s")
			b.ReportMetric(peakRSSMB(b), "peak-rss-MB")
			if driver == "syslog-udp" {
				b.ReportMetric(float64(kept)/n, "kept/op")
				b.ReportMetric(float64(dropped)/n, "receiver-dropped/op")
				b.ReportMetric(float64(kernel)/n, "of-which-udp/op")
				b.ReportMetric(float64(drops)/n, "log-drops/op")
				b.ReportMetric(lines-float64(kept+dropped+drops)/n, "unaccounted/op")
			}
		})
	}
}

// settledCount is what the receiver kept and dropped once nothing more
// arrived for half a second.
func settledCount(rcv *capture.SyslogReceiver) (kept, dropped int64) {
	for {
		time.Sleep(500 * time.Millisecond)
		k, d := int64(rcv.Kept()), rcv.Dropped()
		if k == kept && d == dropped {
			return kept, dropped
		}
		kept, dropped = k, d
	}
}

// peakRSSMB is the test process's peak resident set (VmHWM) in MB.
func peakRSSMB(b *testing.B) float64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for l := range bytes.Lines(status) {
		if v, ok := bytes.CutPrefix(l, []byte("VmHWM:")); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(string(v)), " kB"), 64)
			if err != nil {
				b.Fatalf("VmHWM %q: %v", v, err)
			}
			return kb / 1024
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}
