package capture

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Syslog formats a receiver parses; "" (auto) tells them apart by their
// header.
var syslogFormats = []string{"rfc3164", "rfc5424"}

// maxSyslogMessage bounds one message (and one TCP line): longer input is
// cut there, as receivers do.
const maxSyslogMessage = 64 << 10

// SyslogReceiver receives syslog messages over UDP, TCP (newline or
// octet-counted framing) or a unix datagram socket.
type SyslogReceiver struct {
	proto, format, address string
	log                    Log
	dir                    string // the unix socket's directory
	pc                     net.PacketConn
	ln                     net.Listener
	wg                     sync.WaitGroup
	mu                     sync.Mutex
	conns                  map[net.Conn]bool
	closeOnce              sync.Once
}

// ListenSyslog starts a syslog receiver: proto "udp" or "tcp" on
// 127.0.0.1 at a free port, "unix" a datagram socket in a new directory.
// format is "", "rfc3164" or "rfc5424" ("" parses either).
func ListenSyslog(proto, format string) (*SyslogReceiver, error) {
	if format != "" && !contains(syslogFormats, format) {
		return nil, fmt.Errorf("invalid syslog capture format %q: want rfc3164, rfc5424 or None (either)", format)
	}
	r := &SyslogReceiver{proto: proto, format: format, conns: map[net.Conn]bool{}}
	var err error
	switch proto {
	case "udp":
		r.pc, err = net.ListenPacket("udp", "127.0.0.1:0")
		if err == nil {
			r.address = "udp://" + r.pc.LocalAddr().String()
		}
	case "tcp":
		r.ln, err = net.Listen("tcp", "127.0.0.1:0")
		if err == nil {
			r.address = "tcp://" + r.ln.Addr().String()
		}
	case "unix":
		r.dir, err = os.MkdirTemp("", "berth-capture-")
		if err == nil {
			path := filepath.Join(r.dir, "syslog.sock")
			r.pc, err = net.ListenPacket("unixgram", path)
			r.address = "unixgram://" + path
			if err != nil {
				os.RemoveAll(r.dir)
			}
		}
	default:
		return nil, fmt.Errorf("invalid syslog capture proto %q: want udp, tcp or unix", proto)
	}
	if err != nil {
		return nil, fmt.Errorf("syslog capture on %s: %w", proto, err)
	}
	r.wg.Add(1)
	if r.pc != nil {
		go r.servePackets()
	} else {
		go r.accept()
	}
	return r, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (r *SyslogReceiver) Kind() string    { return "syslog" }
func (r *SyslogReceiver) Address() string { return r.address }

// Messages: see Receiver.
func (r *SyslogReceiver) Messages(ctx context.Context, count int, timeout time.Duration) ([]Record, error) {
	return r.log.Wait(ctx, count, timeout)
}

// Dropped: see Log.Dropped.
func (r *SyslogReceiver) Dropped() int64 { return r.log.Dropped() }

// Close stops the receiver and removes its socket.
func (r *SyslogReceiver) Close() error {
	var err error
	r.closeOnce.Do(func() {
		if r.pc != nil {
			err = r.pc.Close()
		}
		if r.ln != nil {
			err = r.ln.Close()
			r.mu.Lock()
			for c := range r.conns {
				c.Close()
			}
			r.mu.Unlock()
		}
		r.wg.Wait()
		if r.dir != "" {
			err = errors.Join(err, os.RemoveAll(r.dir))
		}
	})
	return err
}

func (r *SyslogReceiver) servePackets() {
	defer r.wg.Done()
	buf := make([]byte, maxSyslogMessage)
	for {
		n, _, err := r.pc.ReadFrom(buf)
		if err != nil {
			return
		}
		r.add(buf[:n])
	}
}

func (r *SyslogReceiver) accept() {
	defer r.wg.Done()
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.mu.Lock()
		r.conns[c] = true
		r.mu.Unlock()
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer func() {
				r.mu.Lock()
				delete(r.conns, c)
				r.mu.Unlock()
				c.Close()
			}()
			r.serveStream(c)
		}()
	}
}

// serveStream reads newline-framed or octet-counted (RFC 5425/6587)
// messages.
func (r *SyslogReceiver) serveStream(c io.Reader) {
	br := bufio.NewReaderSize(c, maxSyslogMessage)
	for {
		b, err := br.Peek(1)
		if err != nil {
			return
		}
		if b[0] >= '1' && b[0] <= '9' {
			lenText, err := br.ReadString(' ')
			if err != nil {
				return
			}
			n, err := strconv.Atoi(strings.TrimSpace(lenText))
			if err != nil || n <= 0 || n > maxSyslogMessage {
				return
			}
			msg := make([]byte, n)
			if _, err := io.ReadFull(br, msg); err != nil {
				return
			}
			r.add(msg)
			continue
		}
		line, err := br.ReadSlice('\n')
		if len(line) > 0 && (err == nil || errors.Is(err, bufio.ErrBufferFull)) {
			r.add(line)
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

func (r *SyslogReceiver) add(raw []byte) {
	raw = bytes.TrimRight(raw, "\r\n\x00")
	r.log.Add(ParseSyslog(string(raw), r.format))
}

// ParseSyslog parses one message into facility, severity, tag, hostname,
// text, format ("rfc3164", "rfc5424" or "unknown") and raw. format ""
// tells the formats apart by the version after PRI; a 3164 header without
// a hostname (Docker's default format) is told apart by its tag ending
// with ':' or '['.
func ParseSyslog(raw, format string) Record {
	rec := Record{"raw": raw, "facility": "", "severity": "", "tag": "", "hostname": "", "text": raw, "format": "unknown"}
	if !strings.HasPrefix(raw, "<") {
		return rec
	}
	end := strings.IndexByte(raw, '>')
	if end < 2 || end > 4 {
		return rec
	}
	pri, err := strconv.Atoi(raw[1:end])
	if err != nil || pri < 0 || pri > 191 {
		return rec
	}
	rec["facility"], rec["severity"] = facilityNames[pri/8], severityNames[pri%8]
	rest := raw[end+1:]
	if format == "rfc5424" || (format == "" && strings.HasPrefix(rest, "1 ")) {
		parse5424(rec, rest)
		return rec
	}
	parse3164(rec, rest)
	return rec
}

// parse5424: VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG.
func parse5424(rec Record, rest string) {
	f := strings.SplitN(rest, " ", 7)
	if len(f) < 7 || f[0] != "1" {
		return
	}
	rec["format"] = "rfc5424"
	rec["timestamp"] = f[1]
	rec["hostname"] = nilValue(f[2])
	rec["tag"] = nilValue(f[3])
	rec["pid"] = nilValue(f[4])
	rec["msgid"] = nilValue(f[5])
	msg := f[6]
	if strings.HasPrefix(msg, "- ") {
		msg = msg[2:]
	} else if msg == "-" {
		msg = ""
	} else if strings.HasPrefix(msg, "[") {
		if i := strings.Index(msg, "] "); i >= 0 {
			rec["structured_data"] = msg[:i+1]
			msg = msg[i+2:]
		}
	}
	rec["text"] = strings.TrimPrefix(msg, "\uFEFF")
}

func nilValue(s string) string {
	if s == "-" {
		return ""
	}
	return s
}

// parse3164: "Mmm dd hh:mm:ss [HOST ]TAG[PID]: MSG".
func parse3164(rec Record, rest string) {
	rest = strings.TrimPrefix(rest, " ") // srslog's default formatter puts a space after PRI
	if len(rest) < 16 || rest[3] != ' ' || rest[6] != ' ' || rest[9] != ':' {
		return
	}
	rec["format"] = "rfc3164"
	rec["timestamp"] = rest[:15]
	rest = rest[16:]
	first, after, _ := strings.Cut(rest, " ")
	if !strings.HasSuffix(first, ":") && !strings.Contains(first, "[") {
		rec["hostname"] = first
		rest = after
	}
	tag, msg, ok := strings.Cut(rest, ": ")
	if !ok {
		tag, msg = strings.TrimSuffix(rest, ":"), ""
	}
	if i := strings.IndexByte(tag, '['); i >= 0 && strings.HasSuffix(tag, "]") {
		rec["pid"] = tag[i+1 : len(tag)-1]
		tag = tag[:i]
	}
	rec["tag"] = tag
	rec["text"] = msg
}

var facilityNames = []string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}

var severityNames = []string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}
