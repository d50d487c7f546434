package fluentd

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vmihailenco/msgpack/v5"
)

func listen(t *testing.T, network string) *Server {
	t.Helper()
	addr := "127.0.0.1:0"
	if network == "unix" {
		addr = filepath.Join(t.TempDir(), "fluent.sock")
	}
	s, err := Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func dial(t *testing.T, s *Server) net.Conn {
	t.Helper()
	c, err := net.Dial(s.network, s.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func pack(t *testing.T, v ...any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	for _, x := range v {
		if err := enc.Encode(x); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// eventTime is fluentd's EventTime extension (type 0).
type eventTime time.Time

func (e *eventTime) MarshalMsgpack() ([]byte, error) {
	var b [8]byte
	tm := time.Time(*e)
	binary.BigEndian.PutUint32(b[:4], uint32(tm.Unix()))
	binary.BigEndian.PutUint32(b[4:], uint32(tm.Nanosecond()))
	return b[:], nil
}

func (e *eventTime) UnmarshalMsgpack([]byte) error { return nil }

func init() { msgpack.RegisterExt(0, (*eventTime)(nil)) }

func et(t time.Time) *eventTime { e := eventTime(t); return &e }

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestModes(t *testing.T) {
	sec := time.Unix(1700000000, 0).UTC()
	nano := time.Unix(1700000000, 123456789).UTC()
	rec := func(s string) map[string]any { return map[string]any{"log": s} }
	entries := func() []byte {
		return pack(t, []any{sec.Unix(), rec("p1")}, []any{et(nano), rec("p2")})
	}
	tests := []struct {
		name    string
		request []any
		want    []Event
		ack     string
	}{
		{"message", []any{"app", sec.Unix(), rec("a")},
			[]Event{{Tag: "app", Time: sec, Record: rec("a"), Mode: "message"}}, ""},
		{"message with EventTime and ack", []any{"app", et(nano), rec("a"), map[string]string{"chunk": "c1"}},
			[]Event{{Tag: "app", Time: nano, Record: rec("a"), Mode: "message"}}, "c1"},
		{"forward", []any{"app", []any{[]any{sec.Unix(), rec("f1")}, []any{et(nano), rec("f2")}}, map[string]string{"chunk": "c2"}},
			[]Event{{Tag: "app", Time: sec, Record: rec("f1"), Mode: "forward"}, {Tag: "app", Time: nano, Record: rec("f2"), Mode: "forward"}}, "c2"},
		{"packed forward", []any{"app", entries()},
			[]Event{{Tag: "app", Time: sec, Record: rec("p1"), Mode: "packed"}, {Tag: "app", Time: nano, Record: rec("p2"), Mode: "packed"}}, ""},
		{"compressed packed forward", []any{"app", gzipped(t, entries()), map[string]any{"compressed": "gzip", "size": 2, "chunk": "c3"}},
			[]Event{{Tag: "app", Time: sec, Record: rec("p1"), Mode: "compressed"}, {Tag: "app", Time: nano, Record: rec("p2"), Mode: "compressed"}}, "c3"},
	}
	for _, network := range []string{"tcp", "unix"} {
		for _, tt := range tests {
			t.Run(network+"/"+tt.name, func(t *testing.T) {
				s := listen(t, network)
				c := dial(t, s)
				if _, err := c.Write(pack(t, tt.request)); err != nil {
					t.Fatal(err)
				}
				if tt.ack != "" {
					c.SetReadDeadline(time.Now().Add(5 * time.Second))
					var ack map[string]string
					if err := msgpack.NewDecoder(c).Decode(&ack); err != nil {
						t.Fatalf("read ack: %v", err)
					}
					if ack["ack"] != tt.ack {
						t.Errorf("ack = %v, want %q", ack, tt.ack)
					}
				}
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				got, err := s.Wait(ctx, len(tt.want))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("events (-want +got):\n%s", diff)
				}
				if err := s.Err(); err != nil {
					t.Errorf("protocol errors: %v", err)
				}
			})
		}
	}
}

func TestBadRequestIsReported(t *testing.T) {
	s := listen(t, "tcp")
	c := dial(t, s)
	c.Write(pack(t, []any{"app"}))
	deadline := time.Now().Add(5 * time.Second)
	for s.Err() == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if s.Err() == nil {
		t.Fatal("a one-element request was accepted")
	}
}

func TestWaitTimesOutWithCount(t *testing.T) {
	s := listen(t, "tcp")
	c := dial(t, s)
	c.Write(pack(t, []any{"app", int64(1), map[string]any{"log": "x"}}))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	got, err := s.Wait(ctx, 2)
	if err == nil || len(got) > 1 {
		t.Fatalf("Wait(2) with one event sent = %d events, %v; want an error", len(got), err)
	}
}

func TestOverflowIsCounted(t *testing.T) {
	s := listen(t, "tcp")
	s.mu.Lock()
	s.maxEvents = 2
	s.mu.Unlock()
	c := dial(t, s)
	for range 3 {
		c.Write(pack(t, []any{"app", int64(1), map[string]any{"log": "x"}}))
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Received() < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if s.Received() != 3 || s.Overflow() != 1 || len(s.Events()) != 2 {
		t.Fatalf("received %d, overflow %d, kept %d; want 3, 1, 2", s.Received(), s.Overflow(), len(s.Events()))
	}
}

func TestStallHoldsEventsUntilResume(t *testing.T) {
	s := listen(t, "tcp")
	s.Stall()
	c := dial(t, s)
	c.Write(pack(t, []any{"app", int64(1), map[string]any{"log": "x"}}))
	time.Sleep(200 * time.Millisecond)
	if n := s.Received(); n != 0 {
		t.Fatalf("stalled receiver took %d events", n)
	}
	s.Resume()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := s.Wait(ctx, 1); err != nil {
		t.Fatal(err)
	}
}
