package capture

import (
	"context"
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
