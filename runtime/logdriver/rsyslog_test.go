package logdriver

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startRsyslog runs Debian's rsyslogd in the foreground on a loopback UDP
// port with its own config, spool and pidfile: facility local5 goes to
// local5.log, everything else to all.log, each line "FACILITY SEVERITY
// PROGRAM | MSG". It is killed by PID when the test ends.
func startRsyslog(t *testing.T) (addr, dir string) {
	t.Helper()
	bin, err := exec.LookPath("rsyslogd")
	if err != nil {
		t.Skip("rsyslogd is not installed (make setup installs Debian's rsyslog)")
	}
	dir = t.TempDir()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := pc.LocalAddr().(*net.UDPAddr).Port
	pc.Close()
	if err := os.Mkdir(filepath.Join(dir, "spool"), 0o700); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf(`global(workDirectory="%[1]s/spool")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="%[2]d" ruleset="test")
template(name="line" type="string" string="%%syslogfacility-text%% %%syslogseverity-text%% %%programname%% |%%msg%%\n")
ruleset(name="test") {
  if $syslogfacility-text == "local5" then {
    action(type="omfile" file="%[1]s/local5.log" template="line")
    stop
  }
  action(type="omfile" file="%[1]s/all.log" template="line")
}
`, dir, port)
	confPath := filepath.Join(dir, "rsyslog.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-n", "-f", confPath, "-i", filepath.Join(dir, "rsyslogd.pid"))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start rsyslogd: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	addr = "127.0.0.1:" + strconv.Itoa(port)
	// UDP sent before rsyslogd binds is lost: probe until one arrives.
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); ; {
		_, _ = c.Write([]byte("<13>Dec  2 00:00:00 probe[1]: ready\n"))
		if b, _ := os.ReadFile(filepath.Join(dir, "all.log")); strings.Contains(string(b), "ready") {
			return addr, dir
		}
		if time.Now().After(deadline) {
			t.Fatal("rsyslogd never wrote the probe message")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitFileLine waits until file has a line containing want.
func waitFileLine(t *testing.T, file, want string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		b, _ := os.ReadFile(file)
		for _, line := range strings.Split(string(b), "\n") {
			// rsyslog keeps the space after a 3164 header in %msg%.
			if strings.Contains(strings.Replace(line, "| ", "|", 1), want) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s has no line with %q; it has:\n%s", file, want, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A real rsyslog reads what the driver sends in each format: facility,
// severity, program (the tag) and message, and a facility routed to its
// own file lands there alone.
func TestSyslogToRsyslog(t *testing.T) {
	addr, dir := startRsyslog(t)
	for _, format := range []string{"", "rfc3164", "rfc5424", "rfc5424micro"} {
		for _, facility := range []string{"daemon", "local5"} {
			name := format + "/" + facility
			opts := map[string]string{"syslog-address": "udp://" + addr, "syslog-facility": facility, "tag": "berth-test", "syslog-format": format}
			info := syslogInfo(opts)
			info.LogPath = filepath.Join(t.TempDir(), "c-json.log")
			d, err := Builtin().New("syslog", info)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			text := "hello " + name
			for _, m := range []Message{{Line: []byte(text + " out"), Stream: "stdout"}, {Line: []byte(text + " err"), Stream: "stderr"}} {
				if err := d.Log(&m); err != nil {
					t.Fatal(err)
				}
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			file, other := "all.log", "local5.log"
			if facility == "local5" {
				file, other = other, file
			}
			for _, want := range []string{facility + " info berth-test |" + text + " out", facility + " err berth-test |" + text + " err"} {
				waitFileLine(t, filepath.Join(dir, file), want)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, other)); strings.Contains(string(b), text+" ") {
				t.Errorf("%s: %s also got the messages:\n%s", name, other, b)
			}
		}
	}
}
