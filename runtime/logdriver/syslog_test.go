package logdriver

import (
	"context"
	"strings"
	"testing"
	"time"

	"berth/runtime/capture"
)

func syslogInfo(opts map[string]string) Info {
	return Info{ContainerID: strings.Repeat("ab", 32), ContainerName: "/web", ImageName: "busybox", Config: opts}
}

// Each format reaches a real receiver as Docker writes it: the default
// without hostname, stdout at info and stderr at err, the facility asked
// for, the tag template expanded.
func TestSyslogFormats(t *testing.T) {
	tests := []struct {
		format, proto, wantFormat string
		hostname                  bool
	}{
		{"", "udp", "rfc3164", false},
		{"rfc3164", "udp", "rfc3164", true},
		{"rfc5424", "tcp", "rfc5424", true},
		{"rfc5424micro", "unix", "rfc5424", true},
	}
	for _, tt := range tests {
		t.Run(tt.format+"/"+tt.proto, func(t *testing.T) {
			r, err := capture.ListenSyslog(tt.proto, "")
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			opts := map[string]string{"syslog-address": r.Address(), "syslog-facility": "local3", "tag": "{{.Name}}/{{.ID}}"}
			if tt.format != "" {
				opts["syslog-format"] = tt.format
			}
			if err := ValidateOptions("syslog", opts); err != nil {
				t.Fatal(err)
			}
			info := syslogInfo(opts)
			info.LogPath = t.TempDir() + "/c-json.log"
			d, err := Builtin().New("syslog", info)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range []Message{{Line: []byte("out line"), Stream: "stdout"}, {Line: []byte(""), Stream: "stdout"}, {Line: []byte("err line"), Stream: "stderr"}} {
				if err := d.Log(&m); err != nil {
					t.Fatal(err)
				}
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			got, err := r.Messages(context.Background(), 2, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range []struct{ sev, text string }{{"info", "out line"}, {"err", "err line"}} {
				m := got[i]
				if m["facility"] != "local3" || m["severity"] != want.sev || m["text"] != want.text || m["tag"] != "web/abababababab" || m["format"] != tt.wantFormat {
					t.Errorf("message %d: %v", i, m)
				}
				if (m["hostname"] != "") != tt.hostname {
					t.Errorf("message %d: hostname %q, want one: %v", i, m["hostname"], tt.hostname)
				}
				if tt.wantFormat == "rfc5424" && m["msgid"] != "web/abababababab" {
					t.Errorf("rfc5424: MSGID %q, want the tag", m["msgid"])
				}
			}
			if tt.format == "rfc5424micro" && !strings.Contains(got[0]["timestamp"].(string), ".") {
				t.Errorf("rfc5424micro timestamp %q has no fraction", got[0]["timestamp"])
			}
		})
	}
}

func TestSyslogOptionErrors(t *testing.T) {
	tests := []struct {
		opts map[string]string
		want string
	}{
		{map[string]string{"bogus": "1"}, "unknown log opt 'bogus' for syslog log driver"},
		{map[string]string{"syslog-address": "http://x"}, "unsupported scheme: 'http'"},
		{map[string]string{"syslog-address": "unix:///nonexistent/sock"}, "syslog-address 'unix:///nonexistent/sock'"},
		{map[string]string{"syslog-facility": "bogus"}, "invalid syslog facility 'bogus'"},
		{map[string]string{"syslog-facility": "24"}, "invalid syslog facility '24'"},
		{map[string]string{"syslog-format": "json"}, "Invalid syslog format 'json'"},
		{map[string]string{"tag": "{{.Nope"}, "invalid tag '{{.Nope'"},
		{map[string]string{"syslog-address": "tcp+tls://127.0.0.1:1", "syslog-tls-ca-cert": "/nonexistent.pem"}, "syslog-tls-ca-cert '/nonexistent.pem'"},
		{map[string]string{"syslog-address": "tcp+tls://127.0.0.1:1", "syslog-tls-cert": "/x.pem"}, "set both or neither"},
		{map[string]string{"syslog-address": "tcp+tls://127.0.0.1:1", "syslog-tls-skip-verify": "maybe"}, "invalid syslog-tls-skip-verify 'maybe'"},
		{map[string]string{"syslog-address": "udp://127.0.0.1:1", "syslog-tls-skip-verify": "true"}, "needs syslog-address tcp+tls://"},
		{map[string]string{"mode": "non-blocking", "max-buffer-size": "nope"}, "error parsing option max-buffer-size"},
	}
	for _, tt := range tests {
		err := ValidateOptions("syslog", tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want %q", tt.opts, err, tt.want)
		}
	}
}

// A TCP server that is down fails the start with Docker's error.
func TestSyslogTCPDown(t *testing.T) {
	r, err := capture.ListenSyslog("tcp", "")
	if err != nil {
		t.Fatal(err)
	}
	addr := r.Address()
	r.Close()
	dir := t.TempDir()
	_, err = Builtin().New("syslog", Info{ContainerID: strings.Repeat("a", 64), LogPath: dir + "/c-json.log", Config: map[string]string{"syslog-address": addr}})
	if err == nil || !strings.Contains(err.Error(), "connect: connection refused") {
		t.Fatalf("New with %s down: %v, want connection refused", addr, err)
	}
}
