package logdriver

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/RackSec/srslog"
)

// syslogFactory is Docker's syslog driver, over srslog as in Docker: one
// message per line, stdout at severity info and stderr at err, the
// connection made when the container starts (so a dead TCP server fails
// the start). Drivers that cannot read back get the local copy.
func syslogFactory() Factory {
	return Factory{
		Name: "syslog",
		Options: []string{"env", "env-regex", "labels", "labels-regex", "syslog-address", "syslog-facility",
			"syslog-tls-ca-cert", "syslog-tls-cert", "syslog-tls-key", "syslog-tls-skip-verify", "tag", "syslog-format"},
		Check:    checkSyslogOptions,
		New:      newSyslogDriver,
		Readback: ReadbackLocalCopy,
	}
}

const syslogSecureProto = "tcp+tls"

// syslogSettings is what the options say, checked.
type syslogSettings struct {
	proto, address string
	facility       srslog.Priority
	formatter      srslog.Formatter
	framer         srslog.Framer
	tls            *tls.Config
}

func checkSyslogOptions(opts map[string]string) error {
	if text := opts["tag"]; text != "" {
		if _, err := parseTag(text); err != nil {
			return err
		}
	}
	if _, err := (Info{Config: opts}).ExtraAttributes(); err != nil {
		return err
	}
	_, err := parseSyslogSettings(opts)
	return err
}

func parseSyslogSettings(opts map[string]string) (syslogSettings, error) {
	var s syslogSettings
	var err error
	if s.proto, s.address, err = parseSyslogAddress(opts["syslog-address"]); err != nil {
		return s, err
	}
	if s.facility, err = parseSyslogFacility(opts["syslog-facility"]); err != nil {
		return s, err
	}
	if s.formatter, s.framer, err = parseSyslogFormat(opts["syslog-format"], s.proto); err != nil {
		return s, err
	}
	if s.proto == syslogSecureProto {
		if s.tls, err = parseSyslogTLS(opts); err != nil {
			return s, err
		}
	} else {
		for _, k := range []string{"syslog-tls-ca-cert", "syslog-tls-cert", "syslog-tls-key", "syslog-tls-skip-verify"} {
			if _, set := opts[k]; set {
				return s, fmt.Errorf("log opt %s needs syslog-address tcp+tls://, got '%s'", k, opts["syslog-address"])
			}
		}
	}
	return s, nil
}

// parseSyslogAddress follows Docker: "" is the local syslog (/dev/log);
// unix and unixgram sockets must exist; udp, tcp and tcp+tls default to
// port 514.
func parseSyslogAddress(address string) (proto, addr string, err error) {
	if address == "" {
		return "", "", nil
	}
	u, err := url.Parse(address)
	if err != nil {
		return "", "", fmt.Errorf("invalid syslog-address '%s': %w", address, err)
	}
	switch u.Scheme {
	case "unix", "unixgram":
		if _, err := os.Stat(u.Path); err != nil {
			return "", "", fmt.Errorf("syslog-address '%s': %w", address, err)
		}
		return u.Scheme, u.Path, nil
	case "udp", "tcp", syslogSecureProto:
	default:
		return "", "", fmt.Errorf("unsupported scheme: '%s' in syslog-address '%s': want udp://, tcp://, tcp+tls://, unix:// or unixgram://", u.Scheme, address)
	}
	host := u.Host
	if host == "" {
		return "", "", fmt.Errorf("invalid syslog-address '%s': no host", address)
	}
	if _, _, err := net.SplitHostPort(host); err != nil {
		if !strings.Contains(err.Error(), "missing port in address") {
			return "", "", fmt.Errorf("invalid syslog-address '%s': %w", address, err)
		}
		host = net.JoinHostPort(host, "514")
	}
	return u.Scheme, host, nil
}

var syslogFacilities = map[string]srslog.Priority{
	"kern": srslog.LOG_KERN, "user": srslog.LOG_USER, "mail": srslog.LOG_MAIL, "daemon": srslog.LOG_DAEMON,
	"auth": srslog.LOG_AUTH, "syslog": srslog.LOG_SYSLOG, "lpr": srslog.LOG_LPR, "news": srslog.LOG_NEWS,
	"uucp": srslog.LOG_UUCP, "cron": srslog.LOG_CRON, "authpriv": srslog.LOG_AUTHPRIV, "ftp": srslog.LOG_FTP,
	"local0": srslog.LOG_LOCAL0, "local1": srslog.LOG_LOCAL1, "local2": srslog.LOG_LOCAL2, "local3": srslog.LOG_LOCAL3,
	"local4": srslog.LOG_LOCAL4, "local5": srslog.LOG_LOCAL5, "local6": srslog.LOG_LOCAL6, "local7": srslog.LOG_LOCAL7,
}

// parseSyslogFacility: a name, or a number 0-23; daemon by default.
func parseSyslogFacility(facility string) (srslog.Priority, error) {
	if facility == "" {
		return srslog.LOG_DAEMON, nil
	}
	if p, ok := syslogFacilities[facility]; ok {
		return p, nil
	}
	if n, err := strconv.Atoi(facility); err == nil && n >= 0 && n <= 23 {
		return srslog.Priority(n << 3), nil
	}
	return 0, fmt.Errorf("invalid syslog facility '%s': want a name such as daemon or local0, or 0-23", facility)
}

// parseSyslogFormat: Docker's formats. The default carries no hostname;
// rfc5424 puts the tag in APP-NAME and MSGID; only tcp+tls frames with
// the message length.
func parseSyslogFormat(format, proto string) (srslog.Formatter, srslog.Framer, error) {
	framer := srslog.Framer(srslog.DefaultFramer)
	switch format {
	case "":
		return srslog.UnixFormatter, framer, nil
	case "rfc3164":
		return srslog.RFC3164Formatter, framer, nil
	case "rfc5424", "rfc5424micro":
		if proto == syslogSecureProto {
			framer = srslog.RFC5425MessageLengthFramer
		}
		layout := time.RFC3339
		if format == "rfc5424micro" {
			layout = "2006-01-02T15:04:05.000000Z07:00"
		}
		return rfc5424Formatter(layout), framer, nil
	}
	return nil, nil, fmt.Errorf("Invalid syslog format '%s': want rfc3164, rfc5424 or rfc5424micro", format) //nolint:staticcheck // Docker's capitalised text
}

func rfc5424Formatter(layout string) srslog.Formatter {
	return func(p srslog.Priority, hostname, tag, content string) string {
		return fmt.Sprintf("<%d>1 %s %s %s %d %s - %s", p, time.Now().Format(layout), hostname, tag, os.Getpid(), tag, content)
	}
}

// parseSyslogTLS loads the TLS files when the options are checked, so a
// missing or bad file fails the create.
func parseSyslogTLS(opts map[string]string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if v, set := opts["syslog-tls-skip-verify"]; set {
		skip, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("invalid syslog-tls-skip-verify '%s': want true or false", v)
		}
		cfg.InsecureSkipVerify = skip
	}
	if ca := opts["syslog-tls-ca-cert"]; ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("syslog-tls-ca-cert '%s': %w", ca, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("syslog-tls-ca-cert '%s': no PEM certificate in it", ca)
		}
		cfg.RootCAs = pool
	}
	cert, key := opts["syslog-tls-cert"], opts["syslog-tls-key"]
	switch {
	case cert != "" && key != "":
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("syslog-tls-cert '%s' and syslog-tls-key '%s': %w", cert, key, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	case cert != "" || key != "":
		return nil, errors.New("syslog-tls-cert and syslog-tls-key go together: set both or neither")
	}
	return cfg, nil
}

func newSyslogDriver(info Info) (Driver, error) {
	s, err := parseSyslogSettings(info.Config)
	if err != nil {
		return nil, err
	}
	tag, err := info.Tag("{{.ID}}")
	if err != nil {
		return nil, err
	}
	var w *srslog.Writer
	if s.proto == syslogSecureProto {
		w, err = srslog.DialWithTLSConfig(s.proto, s.address, s.facility, tag, s.tls)
	} else {
		w, err = srslog.Dial(s.proto, s.address, s.facility, tag)
	}
	if err != nil {
		return nil, err // Docker's text: "dial tcp 127.0.0.1:5515: connect: connection refused"
	}
	w.SetFormatter(s.formatter)
	w.SetFramer(s.framer)
	return &syslogDriver{w: w}, nil
}

type syslogDriver struct{ w *srslog.Writer }

func (d *syslogDriver) Name() string { return "syslog" }

// Log sends one line; empty lines are not sent, as in Docker.
func (d *syslogDriver) Log(m *Message) error {
	if len(m.Line) == 0 {
		return nil
	}
	var err error
	if m.Stream == "stderr" {
		err = d.w.Err(string(m.Line))
	} else {
		err = d.w.Info(string(m.Line))
	}
	return err
}

func (d *syslogDriver) Close() error { return d.w.Close() }
