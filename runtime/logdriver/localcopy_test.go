package logdriver

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"berth/runtime/internal/tinyfs"
	"berth/runtime/logdriver/jsonfile"
)

// Dual logging in batches: a message the remote end refuses is counted
// lost at once (its copy is still written, so logs() shows it), and a
// copy lost to a full disk makes its message lost, exactly as when each
// message is written alone; every message is either delivered or counted.
func TestLocalCopyInBatches(t *testing.T) {
	dir := tinyfs.Mount(t, 1<<20)
	free := tinyfs.Fill(t, dir, 16<<10)
	path := filepath.Join(dir, "c-json.log")
	remote := &scriptedSink{fails: failing(syscall.ECONNREFUSED, 3, 4)}
	d, err := withLocalCopy(&sinkDriver{remote}, path, rotation{maxFiles: 1})
	if err != nil {
		t.Fatal(err)
	}
	g := NewLossGuard(nil)
	g.AttachDriver(d)
	if _, ok := d.(Batcher); !ok {
		t.Fatal("the local copy driver is no Batcher")
	}
	const total = 40
	line := strings.Repeat("x", 1000)
	for i := range total {
		m := msg("stdout", fmt.Sprintf("%04d %s", i, line))
		g.Log(&m)
		if i%5 == 4 {
			g.EndBatch()
		}
	}
	free()
	if err := g.Flush(); err != nil {
		t.Logf("flush: %v", err)
	}
	g.Attach(nil)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	lost := g.Report().Messages
	if lost <= 2 {
		t.Fatalf("lost %d: want the 2 the remote refused and copies lost to the full disk", lost)
	}
	// Delivered: the remote took it and its copy is in the file. The
	// remote's calls include markers; count the process's lines.
	var kept []string
	err = jsonfile.Read(t.Context(), path, jsonfile.ReadOptions{Tail: -1, Stdout: true, Stderr: true, MaxFiles: 1}, func(e jsonfile.Entry) error {
		if !strings.HasPrefix(string(e.Line), "[berth:") {
			kept = append(kept, string(e.Line[:4]))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	remoteGot := map[string]bool{}
	for _, e := range remote.got {
		if !strings.HasPrefix(e, "stdout:[berth:") {
			remoteGot[e[len("stdout:"):][:4]] = true
		}
	}
	delivered := 0
	for _, k := range kept {
		if remoteGot[k] {
			delivered++
		}
	}
	if int64(delivered)+lost != total {
		t.Errorf("delivered %d (remote and copy) + lost %d = %d, want %d", delivered, lost, int64(delivered)+lost, total)
	}
	if remoteGot["0002"] || remoteGot["0003"] {
		t.Error("the remote end got a message it refused")
	}
	if len(kept) < 2 || kept[2] != "0002" {
		t.Errorf("the copy has %v: want the refused messages' copies too (logs() shows them)", kept)
	}
}

// sinkDriver is a Driver over a scripted sink.
type sinkDriver struct{ s *scriptedSink }

func (d *sinkDriver) Name() string         { return "scripted" }
func (d *sinkDriver) Log(m *Message) error { return d.s.log(m) }
func (d *sinkDriver) Close() error         { return nil }
