package fluentd

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fluent/fluent-logger-golang/fluent"

	capture "berth/runtime/capture/fluentd"
	"berth/runtime/logdriver"
)

// produce logs n lines through d as a container's copier would and
// returns how many d refused (the copier's loss guard counts those).
func produce(d logdriver.Driver, n int) (refused int64) {
	m := logdriver.Message{Stream: "stdout", Time: time.Now()}
	buf := make([]byte, 0, 80)
	for i := range n {
		m.Line = fmt.Appendf(buf[:0], "line %08d of a container writing a hundred thousand of them", i)
		if d.Log(&m) != nil {
			refused++
		}
	}
	return refused
}

// stalledRun logs n lines while the receiver reads nothing, then lets the
// receiver recover and closes the driver. It returns the lines refused,
// the lines counted as dropped after being queued, and the receiver.
func stalledRun(tb testing.TB, n int, opts map[string]string) (refused, dropped int64, s *capture.Server, took time.Duration) {
	tb.Helper()
	s, err := capture.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	s.Stall()
	cfg := map[string]string{"fluentd-address": s.Address(), "fluentd-async": "true"}
	for k, v := range opts {
		cfg[k] = v
	}
	var drops atomic.Int64
	d, err := newDriver(info(cfg), func(m, _ int64, _ error) { drops.Add(m) })
	if err != nil {
		tb.Fatal(err)
	}
	start := time.Now()
	refused = produce(d, n)
	took = time.Since(start)
	s.Resume()
	if err := d.Close(); err != nil {
		tb.Fatal(err)
	}
	return refused, drops.Load(), s, took
}

// TestStalledReceiverLossIsCounted: with a receiver that stops reading,
// every line is either received or counted, none lost silently.
func TestStalledReceiverLossIsCounted(t *testing.T) {
	const n = 100_000
	refused, dropped, s, _ := stalledRun(t, n, map[string]string{"fluentd-buffer-limit": "1000"})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	want := n - int(refused) - int(dropped)
	got, err := s.Wait(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // nothing more may come
	if len(s.Events()) != want || refused == 0 {
		t.Fatalf("received %d, refused %d, dropped %d: want received+refused+dropped = %d with some refused", len(s.Events()), refused, dropped, n)
	}
	// What arrived is in order, without gaps other than the refused.
	prev := -1
	for _, e := range got {
		var i int
		fmt.Sscanf(e.Record["log"].(string), "line %d", &i)
		if i <= prev {
			t.Fatalf("line %d after line %d", i, prev)
		}
		prev = i
	}
}

// BenchmarkProduce100k is the time a container's copier spends handing
// 100,000 lines to the driver: with a healthy receiver, with one that
// stalls (the lines it cannot queue are refused and counted), and with a
// discarding driver for reference. Target: stalled within 10% of healthy.
func BenchmarkProduce100k(b *testing.B) {
	const n = 100_000
	b.Run("discard", func(b *testing.B) {
		for b.Loop() {
			produce(discard{}, n)
		}
	})
	for _, stalled := range []bool{false, true} {
		name := map[bool]string{false: "healthy", true: "stalled"}[stalled]
		b.Run(name, func(b *testing.B) {
			var refused int64
			for b.Loop() {
				s, err := capture.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					b.Fatal(err)
				}
				if stalled {
					s.Stall()
				}
				d, err := newDriver(info(map[string]string{"fluentd-address": s.Address(), "fluentd-async": "true", "fluentd-buffer-limit": "10000"}), func(int64, int64, error) {})
				if err != nil {
					b.Fatal(err)
				}
				refused += produce(d, n)
				b.StopTimer()
				s.Resume()
				d.Close()
				s.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(refused)/float64(b.N), "refused/op")
		})
	}
}

type discard struct{}

func (discard) Name() string                 { return "discard" }
func (discard) Log(*logdriver.Message) error { return nil }
func (discard) Close() error                 { return nil }

// BenchmarkEncode compares handing the client a msgp.Marshaler record
// (berth) with a map it reflects over (Docker).
func BenchmarkEncode(b *testing.B) {
	f := &fluent.Fluent{}
	r := record{containerID: testID, containerName: "/web", source: "stdout", log: []byte("a typical line of container output, about eighty bytes long......")}
	now := time.Now()
	b.Run("record", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.EncodeData("tag", now, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("map", func(b *testing.B) {
		for b.Loop() {
			m := map[string]string{"container_id": r.containerID, "container_name": r.containerName, "source": r.source, "log": string(r.log)}
			kv := make(map[string]any, len(m))
			for k, v := range m {
				kv[k] = v
			}
			if _, err := f.EncodeData("tag", now, kv); err != nil {
				b.Fatal(err)
			}
		}
	})
}
