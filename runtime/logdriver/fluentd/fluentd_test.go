package fluentd

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	capture "berth/runtime/capture/fluentd"
	"berth/runtime/logdriver"
)

const testID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func receiver(t *testing.T, network string) *capture.Server {
	t.Helper()
	addr := "127.0.0.1:0"
	if network == "unix" {
		addr = filepath.Join(t.TempDir(), "f.sock")
	}
	s, err := capture.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func info(opts map[string]string) logdriver.Info {
	return logdriver.Info{
		ContainerID: testID, ContainerName: "/web", ImageName: "busybox",
		Config: opts, Env: []string{"REGION=eu", "OTHER=x"}, Labels: map[string]string{"team": "a"},
	}
}

func wait(t *testing.T, s *capture.Server, n int) []capture.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := s.Wait(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Err(); err != nil {
		t.Fatalf("receiver: %v", err)
	}
	return got
}

func TestRecords(t *testing.T) {
	when := time.Date(2026, 1, 2, 3, 4, 5, 678901234, time.UTC)
	tests := []struct {
		name    string
		network string
		opts    map[string]string
		msg     logdriver.Message
		tag     string
		time    time.Time
		record  map[string]any
	}{
		{
			name: "defaults", network: "tcp",
			msg: logdriver.Message{Line: []byte("hello"), Stream: "stdout", Time: when},
			tag: testID[:12], time: when.Truncate(time.Second),
			record: map[string]any{"container_id": testID, "container_name": "/web", "source": "stdout", "log": "hello"},
		},
		{
			name: "unix socket, sub-second, tag, labels, env", network: "unix",
			opts: map[string]string{"fluentd-sub-second-precision": "true", "tag": "app.{{.Name}}", "labels": "team", "env": "REGION,MISSING"},
			msg:  logdriver.Message{Line: []byte("oops"), Stream: "stderr", Time: when},
			tag:  "app.web", time: when,
			record: map[string]any{"container_id": testID, "container_name": "/web", "source": "stderr", "log": "oops", "team": "a", "REGION": "eu"},
		},
		{
			name: "partial line, request ack", network: "tcp",
			opts: map[string]string{"fluentd-request-ack": "true"},
			msg:  logdriver.Message{Line: []byte("piece"), Stream: "stdout", Time: when, Partial: &logdriver.PartialMeta{ID: "pid", Ordinal: 2, Last: true}},
			tag:  testID[:12], time: when.Truncate(time.Second),
			record: map[string]any{"container_id": testID, "container_name": "/web", "source": "stdout", "log": "piece",
				"partial_message": "true", "partial_id": "pid", "partial_ordinal": "2", "partial_last": "true"},
		},
		{
			name: "async", network: "tcp",
			opts: map[string]string{"fluentd-async": "true"},
			msg:  logdriver.Message{Line: []byte("later"), Stream: "stdout", Time: when},
			tag:  testID[:12], time: when.Truncate(time.Second),
			record: map[string]any{"container_id": testID, "container_name": "/web", "source": "stdout", "log": "later"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := receiver(t, tt.network)
			opts := map[string]string{"fluentd-address": s.Address()}
			for k, v := range tt.opts {
				opts[k] = v
			}
			d, err := New(info(opts))
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Log(&tt.msg); err != nil {
				t.Fatal(err)
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			got := wait(t, s, 1)
			want := []capture.Event{{Tag: tt.tag, Time: tt.time, Record: tt.record, Mode: "message"}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

func TestManyMessagesInOrder(t *testing.T) {
	s := receiver(t, "tcp")
	d, err := New(info(map[string]string{"fluentd-address": s.Address()}))
	if err != nil {
		t.Fatal(err)
	}
	const n = 2000
	for i := range n {
		if err := d.Log(&logdriver.Message{Line: fmt.Appendf(nil, "line %d", i), Stream: "stdout", Time: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	d.Close()
	got := wait(t, s, n)
	for i, e := range got {
		if want := fmt.Sprintf("line %d", i); e.Record["log"] != want {
			t.Fatalf("event %d: log %q, want %q", i, e.Record["log"], want)
		}
	}
}

// freeAddress is a loopback TCP address nobody listens on.
func freeAddress(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestSyncModeFailsWhenDown(t *testing.T) {
	addr := freeAddress(t)
	_, err := New(info(map[string]string{"fluentd-address": addr}))
	if err == nil || !strings.Contains(err.Error(), "dial tcp "+addr+": connect: connection refused") {
		t.Fatalf("New with nobody listening = %v; want Docker's dial error", err)
	}
}

func TestAsyncModeDialsInBackground(t *testing.T) {
	addr := freeAddress(t)
	d, err := New(info(map[string]string{"fluentd-address": addr, "fluentd-async": "true", "fluentd-retry-wait": "50ms"}))
	if err != nil {
		t.Fatalf("async New with nobody listening: %v", err)
	}
	if err := d.Log(&logdriver.Message{Line: []byte("queued"), Stream: "stdout", Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
	s, err := capture.Listen("tcp", addr)
	if err != nil {
		t.Skipf("port %s taken meanwhile: %v", addr, err)
	}
	defer s.Close()
	got := wait(t, s, 1)
	if got[0].Record["log"] != "queued" {
		t.Errorf("got %v", got[0].Record)
	}
	d.Close()
}

func TestAsyncBufferLimitCountsMessages(t *testing.T) {
	// Nobody listens and retries are slow: the client's queue holds
	// exactly fluentd-buffer-limit messages.
	defer func(old time.Duration) { closeTimeout = old }(closeTimeout)
	closeTimeout = 100 * time.Millisecond
	d, err := New(info(map[string]string{"fluentd-address": freeAddress(t), "fluentd-async": "true",
		"fluentd-buffer-limit": "3", "fluentd-retry-wait": "1h"}))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var refused int
	for range 10 {
		if err := d.Log(&logdriver.Message{Line: []byte("x"), Stream: "stdout", Time: time.Now()}); err != nil {
			refused++
		}
	}
	// One message may be taken off the queue by the sender, stuck dialing.
	if refused != 7 && refused != 6 {
		t.Fatalf("%d of 10 messages refused with a limit of 3 messages; want 7 (or 6)", refused)
	}
}

func TestValidation(t *testing.T) {
	tests := []struct {
		opts map[string]string
		want string
	}{
		{map[string]string{"bogus": "1"}, "unknown log opt 'bogus' for fluentd log driver"},
		{map[string]string{"fluentd-address": "udp://1.2.3.4:5"}, "invalid fluentd-address (udp://1.2.3.4:5): unsupported scheme: 'udp'"},
		{map[string]string{"fluentd-address": "tcp://1.2.3.4:5/x"}, "invalid fluentd-address (tcp://1.2.3.4:5/x): should not contain a path element"},
		{map[string]string{"fluentd-address": "unix://"}, "invalid fluentd-address (unix://): path is empty"},
		{map[string]string{"fluentd-address": "host:99999"}, "invalid fluentd-address (host:99999): invalid port"},
		{map[string]string{"fluentd-buffer-limit": "lots"}, "invalid fluentd-buffer-limit 'lots'"},
		{map[string]string{"fluentd-retry-wait": "1"}, "invalid fluentd-retry-wait '1'"},
		{map[string]string{"fluentd-max-retries": "-1"}, "invalid fluentd-max-retries '-1'"},
		{map[string]string{"fluentd-max-retries": "3000000000"}, "invalid fluentd-max-retries: value out of range"},
		{map[string]string{"fluentd-async": "maybe"}, "invalid fluentd-async 'maybe': want true or false"},
		{map[string]string{"fluentd-request-ack": "2"}, "invalid fluentd-request-ack '2'"},
		{map[string]string{"fluentd-sub-second-precision": "yes"}, "invalid fluentd-sub-second-precision 'yes'"},
		{map[string]string{"fluentd-write-timeout": "-1s"}, "invalid value for fluentd-write-timeout: value must be a duration that is non-negative"},
		{map[string]string{"tag": "{{.Nope"}, "invalid tag '{{.Nope'"},
		{map[string]string{"env-regex": "("}, "invalid env-regex '('"},
		{map[string]string{"mode": "non-blocking"}, ""},
		{map[string]string{"fluentd-address": "localhost", "fluentd-buffer-limit": "1k", "fluentd-retry-wait": "2s", "fluentd-max-retries": "5"}, ""},
	}
	reg, err := logdriver.NewRegistry(Factory())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		err := reg.ValidateOptions(Name, tt.opts)
		switch {
		case tt.want == "" && err != nil && !strings.Contains(err.Error(), "non-blocking"):
			t.Errorf("%v: %v", tt.opts, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%v: got %v, want %q", tt.opts, err, tt.want)
		}
	}
}
