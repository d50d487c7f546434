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
	"unsafe"

	"golang.org/x/sys/unix"
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
	closed                 bool  // with mu
	kernelDropsAtClose     int64 // with mu, once closed
}

// udpReadBuffer is the UDP receiver's socket buffer: a container logging
// fast over UDP outruns a reader with the default 208 KiB, and the kernel
// drops datagrams (counted in Dropped).
var udpReadBuffer = 8 << 20 // a variable for the test that fills it

// ListenSyslog starts a syslog receiver: proto "udp" or "tcp" on
// 127.0.0.1 at a free port, "unix" a datagram socket in a new directory.
// format is "", "rfc3164" or "rfc5424" ("" parses either).
func ListenSyslog(proto, format string) (*SyslogReceiver, error) {
	if format != "" && !contains(syslogFormats, format) {
		return nil, fmt.Errorf("invalid syslog capture format %q: want rfc3164, rfc5424 or None (either)", format)
	}
	r := &SyslogReceiver{proto: proto, format: format, conns: map[net.Conn]bool{}}
	r.log.Parse = func(raw string) Record { return ParseSyslog(raw, format) }
	var err error
	switch proto {
	case "udp":
		r.pc, err = net.ListenPacket("udp", "127.0.0.1:0")
		if err == nil {
			r.address = "udp://" + r.pc.LocalAddr().String()
			growReadBuffer(r.pc.(*net.UDPConn))
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

// Dropped is how many messages sent to the receiver it does not keep:
// past its bounds (see Log), or, over UDP, dropped by the kernel because
// the socket's buffer was full (the sender cannot know: UDP has no
// acknowledgement, so the receiver counts them for the case).
func (r *SyslogReceiver) Dropped() int64 {
	return r.log.Dropped() + r.KernelDropped()
}

// Kept is how many messages the receiver keeps.
func (r *SyslogReceiver) Kept() int { return r.log.Len() }

// growReadBuffer asks for udpReadBuffer, past net.core.rmem_max when
// allowed (root); a smaller buffer only means more drops, still counted.
func growReadBuffer(c *net.UDPConn) {
	rc, err := c.SyscallConn()
	var setErr error
	if err == nil {
		err = rc.Control(func(fd uintptr) {
			setErr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, udpReadBuffer)
		})
	}
	if err != nil || setErr != nil {
		_ = c.SetReadBuffer(udpReadBuffer)
	}
}

// KernelDropped is the datagrams the kernel dropped at the UDP socket
// (SO_MEMINFO's drop counter; 0 for other sockets).
func (r *SyslogReceiver) KernelDropped() int64 {
	udp, ok := r.pc.(*net.UDPConn)
	if !ok {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return r.kernelDropsAtClose
	}
	rc, err := udp.SyscallConn()
	if err != nil {
		return 0
	}
	var drops int64
	_ = rc.Control(func(fd uintptr) {
		var info [skMeminfoVars]uint32
		size := uint32(unsafe.Sizeof(info))
		_, _, errno := unix.Syscall6(unix.SYS_GETSOCKOPT, fd, unix.SOL_SOCKET, unix.SO_MEMINFO,
			uintptr(unsafe.Pointer(&info[0])), uintptr(unsafe.Pointer(&size)), 0)
		if errno == 0 && size >= (skMeminfoDrops+1)*4 {
			drops = int64(info[skMeminfoDrops])
		}
	})
	return drops
}

// SO_MEMINFO's layout (linux/sock_diag.h): SK_MEMINFO_DROPS is the 9th of
// SK_MEMINFO_VARS counters.
const (
	skMeminfoDrops = 8
	skMeminfoVars  = 9
)

// Close stops the receiver and removes its socket.
func (r *SyslogReceiver) Close() error {
	var err error
	r.closeOnce.Do(func() {
		if r.pc != nil {
			drops := r.KernelDropped() // the socket's counter goes with it
			r.mu.Lock()
			r.kernelDropsAtClose, r.closed = drops, true
			r.mu.Unlock()
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
	r.log.Add(string(bytes.TrimRight(raw, "\r\n\x00")))
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
