package logdriver

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeLog logs msgs with a json-file driver and returns a reader of it.
func writeLog(t *testing.T, msgs []Message) Reader {
	t.Helper()
	info := Info{ContainerID: "c1", LogPath: filepath.Join(t.TempDir(), "c1-json.log")}
	d, err := New("json-file", info)
	if err != nil {
		t.Fatal(err)
	}
	for i := range msgs {
		if err := d.Log(&msgs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := OpenReader("json-file", info)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// ReadAll gives what formatting each message gives, across blocks of
// every size, and with a message larger than a block.
func TestReadAll(t *testing.T) {
	at := time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)
	var msgs []Message
	for i := range 20000 {
		m := Message{Line: fmt.Appendf(nil, "line %d %s", i, strings.Repeat("x", i%300)), Stream: "stdout", Time: at.Add(time.Duration(i))}
		switch i % 7 {
		case 3:
			m.Stream = "stderr"
		case 5:
			m.Partial = &PartialMeta{ID: "p", Ordinal: 1}
		}
		msgs = append(msgs, m)
	}
	msgs = append(msgs, Message{Line: []byte(strings.Repeat("big", maxBlock)), Stream: "stdout", Time: at}, Message{Line: []byte("after"), Stream: "stderr", Time: at})
	r := writeLog(t, msgs)
	for _, tt := range []struct {
		name       string
		cfg        ReadConfig
		timestamps bool
	}{
		{"all", ReadConfig{Tail: -1, Stdout: true, Stderr: true}, false},
		{"timestamps", ReadConfig{Tail: -1, Stdout: true, Stderr: true}, true},
		{"stderr, tail", ReadConfig{Tail: 100, Stderr: true}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var want strings.Builder
			if err := r.ReadLogs(context.Background(), tt.cfg, func(m Message) error {
				want.WriteString(Format(m, tt.timestamps))
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			got, err := ReadAll(context.Background(), r, tt.cfg, tt.timestamps)
			if err != nil {
				t.Fatal(err)
			}
			if got != want.String() {
				t.Errorf("ReadAll gave %d bytes that differ from the %d formatted one by one", len(got), want.Len())
			}
		})
	}
}

// Reading a log makes no garbage per message: the GC would let the heap
// grow to twice the text before collecting it.
func TestReadAllAllocations(t *testing.T) {
	var msgs []Message
	for i := range 20000 {
		msgs = append(msgs, Message{Line: fmt.Appendf(nil, "line %d", i), Stream: "stdout", Time: time.Now()})
	}
	r := writeLog(t, msgs)
	cfg := ReadConfig{Tail: -1, Stdout: true, Stderr: true}
	for _, ts := range []bool{false, true} {
		allocs := testing.AllocsPerRun(3, func() {
			if _, err := ReadAll(context.Background(), r, cfg, ts); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > 100 {
			t.Errorf("timestamps %v: reading 20000 messages made %.0f allocations, want a few per block", ts, allocs)
		}
	}
}
