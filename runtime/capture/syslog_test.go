package capture

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

func TestParseSyslog(t *testing.T) {
	tests := []struct {
		name, raw, format string
		want              Record
	}{
		{"docker default: no hostname", "<30>Dec  2 01:02:03 abc123[42]: hello world", "",
			Record{"facility": "daemon", "severity": "info", "tag": "abc123", "hostname": "", "text": "hello world", "format": "rfc3164"}},
		{"rfc3164 with hostname", "<27>Dec  2 01:02:03 myhost web[7]: oops", "",
			Record{"facility": "daemon", "severity": "err", "tag": "web", "hostname": "myhost", "text": "oops", "format": "rfc3164"}},
		{"rfc5424: tag in APP-NAME and MSGID", "<134>1 2026-12-02T01:02:03Z myhost web 7 web - hi there", "",
			Record{"facility": "local0", "severity": "info", "tag": "web", "hostname": "myhost", "text": "hi there", "format": "rfc5424", "msgid": "web"}},
		{"not syslog", "hello", "", Record{"format": "unknown", "text": "hello", "facility": ""}},
		{"bad pri", "<999>x", "", Record{"format": "unknown", "facility": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseSyslog(tt.raw, tt.format)
			if got["raw"] != tt.raw {
				t.Errorf("raw %q, want %q", got["raw"], tt.raw)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q (all: %v)", k, got[k], v, got)
				}
			}
		})
	}
}

// Each proto receives what is sent to its address, in order; TCP with
// both framings; Close removes the unix socket's directory.
func TestSyslogReceiver(t *testing.T) {
	for _, proto := range []string{"udp", "tcp", "unix"} {
		t.Run(proto, func(t *testing.T) {
			r, err := ListenSyslog(proto, "")
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			network, addr, _ := strings.Cut(r.Address(), "://")
			c, err := net.Dial(network, addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			send := []string{"<30>Dec  2 01:02:03 t[1]: one\n", "<30>Dec  2 01:02:03 t[1]: two\n"}
			if proto == "tcp" {
				send = append(send, "32 <30>Dec  2 01:02:03 t[1]: framed")
			}
			for _, s := range send {
				if _, err := c.Write([]byte(s)); err != nil {
					t.Fatal(err)
				}
			}
			recs, err := r.Messages(context.Background(), len(send), 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range []string{"one", "two", "framed"}[:len(send)] {
				if recs[i]["text"] != want || recs[i]["tag"] != "t" {
					t.Errorf("message %d: %v, want text %q", i, recs[i], want)
				}
			}
			if _, err := r.Messages(context.Background(), len(send)+1, 20*time.Millisecond); err == nil || !strings.Contains(err.Error(), "messages within") {
				t.Errorf("waiting for one more: %v, want a timeout", err)
			}
			c.Close()
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			if r.dir != "" {
				if _, err := net.Dial(network, addr); err == nil {
					t.Errorf("the socket still answers after Close")
				}
			}
		})
	}
	if _, err := ListenSyslog("sctp", ""); err == nil || !strings.Contains(err.Error(), `invalid syslog capture proto "sctp"`) {
		t.Errorf("bad proto: %v", err)
	}
}

// Datagrams the kernel drops because the receiver's socket buffer is full
// are counted: what the receiver keeps plus what it counts as dropped is
// what was sent. The reader is held up (the log's lock) so that the
// buffer really fills.
func TestUDPDropsAreCounted(t *testing.T) {
	old := udpReadBuffer
	udpReadBuffer = 64 << 10
	defer func() { udpReadBuffer = old }()
	r, err := ListenSyslog("udp", "")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	conn, err := net.Dial("udp", strings.TrimPrefix(r.Address(), "udp://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const sent = 2000
	pad := strings.Repeat("x", 500)
	r.log.mu.Lock() // the reader stops at its first message
	for i := range sent {
		if _, err := fmt.Fprintf(conn, "<14>test: message %d %s", i, pad); err != nil {
			r.log.mu.Unlock()
			t.Fatal(err)
		}
	}
	r.log.mu.Unlock()
	var kept int
	var dropped int64
	for range 100 { // until nothing more arrives
		time.Sleep(50 * time.Millisecond)
		k, d := r.Kept(), r.Dropped()
		if k == kept && d == dropped && int64(k)+d == sent {
			break
		}
		kept, dropped = k, d
	}
	if r.KernelDropped() == 0 {
		t.Fatalf("the kernel dropped nothing (kept %d): the test did not fill the socket buffer", kept)
	}
	if int64(kept)+dropped != sent {
		t.Errorf("kept %d + dropped %d = %d, want the %d sent", kept, dropped, int64(kept)+dropped, sent)
	}
	r.Close()
	if got := r.Dropped(); got != dropped {
		t.Errorf("after Close, Dropped() = %d, want the %d counted before", got, dropped)
	}
}

// The log keeps at most MaxBytes of messages and counts the rest.
func TestLogBytesBound(t *testing.T) {
	l := Log{Parse: func(raw string) Record { return Record{"raw": raw} }}
	big := strings.Repeat("x", 1<<20)
	for range MaxBytes>>20 + 3 {
		l.Add(big)
	}
	if l.Len() != MaxBytes>>20 || l.Dropped() != 3 {
		t.Errorf("kept %d, dropped %d; want %d and 3", l.Len(), l.Dropped(), MaxBytes>>20)
	}
	recs, err := l.Wait(context.Background(), 1, time.Second)
	if err != nil || len(recs) != 1 || recs[0]["raw"] != big {
		t.Errorf("Wait(1): %d records, %v", len(recs), err)
	}
}
