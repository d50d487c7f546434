package logdriver

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestValidateOptions(t *testing.T) {
	tests := []struct {
		name   string
		driver string
		opts   map[string]string
		want   string // "" = valid
	}{
		{"no options", "json-file", nil, ""},
		{"all json-file options", "json-file", map[string]string{
			"max-size": "10m", "max-file": "3", "compress": "false", "labels": "a,b", "labels-regex": "^x",
			"env": "A", "env-regex": "^B", "tag": "{{.Name}}/{{.ID}}", "mode": "blocking"}, ""},
		{"unknown driver", "bogus", nil, `unknown log driver "bogus": want one of json-file, none, syslog`},
		{"unknown option", "json-file", map[string]string{"bogus": "1"}, "unknown log opt 'bogus' for json-file log driver"},
		{"first unknown option in sorted order", "json-file", map[string]string{"zz": "1", "aa": "1"}, "unknown log opt 'aa'"},
		{"cache options belong to dual logging", "json-file", map[string]string{"cache-disabled": "true"}, "unknown log opt 'cache-disabled' for json-file"},
		{"bad size", "json-file", map[string]string{"max-size": "abc"}, "log opt max-size: invalid size: 'abc'"},
		{"negative size", "json-file", map[string]string{"max-size": "-1"}, `log opt max-size: invalid size: '-1': want a positive size such as "10m"`},
		{"huge size", "json-file", map[string]string{"max-size": "10000000000p"}, "log opt max-size: invalid size: '10000000000p': too large"},
		{"zero size", "json-file", map[string]string{"max-size": "0"}, "max-size must be a positive number, got '0'"},
		{"bad max-file", "json-file", map[string]string{"max-file": "many"}, "invalid max-file 'many': want a whole number of at least 1"},
		{"zero max-file", "json-file", map[string]string{"max-file": "0"}, "max-file cannot be less than 1, got '0'"},
		{"compress", "json-file", map[string]string{"compress": "true", "max-size": "1m", "max-file": "3"}, ""},
		{"bad compress", "json-file", map[string]string{"compress": "maybe"}, "invalid compress 'maybe': want true or false"},
		{"bad tag", "json-file", map[string]string{"tag": "{{.Name"}, "invalid tag '{{.Name'"},
		{"bad labels-regex", "json-file", map[string]string{"labels-regex": "("}, "invalid labels-regex '('"},
		{"bad env-regex", "json-file", map[string]string{"env-regex": "["}, "invalid env-regex '['"},
		{"non-blocking mode", "json-file", map[string]string{"mode": "non-blocking"}, ""},
		{"non-blocking with a buffer size", "json-file", map[string]string{"mode": "non-blocking", "max-buffer-size": "4m"}, ""},
		{"bad buffer size", "json-file", map[string]string{"mode": "non-blocking", "max-buffer-size": "lots"}, "error parsing option max-buffer-size: invalid size: 'lots'"},
		{"zero buffer size", "json-file", map[string]string{"mode": "non-blocking", "max-buffer-size": "0"}, "error parsing option max-buffer-size: '0'"},
		{"bad mode", "json-file", map[string]string{"mode": "fast"}, "invalid log opt mode 'fast': want blocking or non-blocking"},
		{"max-buffer-size", "json-file", map[string]string{"max-buffer-size": "4m"}, "only supported with 'mode=non-blocking': got max-buffer-size '4m'"},
		// Docker does not look at the none driver's options.
		{"none takes anything", "none", map[string]string{"max-size": "abc", "whatever": "1"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateOptions(tt.driver, tt.opts)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if err := ValidateOptions("bogus", nil); !errors.Is(err, ErrUnknownDriver) {
		t.Errorf("unknown driver: %v is not ErrUnknownDriver", err)
	}
}

func testInfo(t *testing.T, opts map[string]string) Info {
	return Info{
		ContainerID:   "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		ContainerName: "/web",
		ImageName:     "busybox",
		ImageID:       "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
		Hostname:      "host1",
		DaemonName:    "berth",
		Config:        opts,
		LogPath:       filepath.Join(t.TempDir(), "0123-json.log"),
		Env:           []string{"A=1", "B=two", "NOVALUE"},
		Labels:        map[string]string{"app": "shop", "tier": "front"},
	}
}

func TestJSONFileDriverGolden(t *testing.T) {
	at := time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.UTC)
	tests := []struct {
		name string
		opts map[string]string
		want string
	}{
		{"plain", nil,
			`{"log":"hello\n","stream":"stdout","time":"2024-01-02T03:04:05.123456789Z"}` + "\n" +
				`{"log":"piece","stream":"stderr","time":"2024-01-02T03:04:05.123456789Z"}` + "\n" +
				`{"log":"end\n","stream":"stderr","time":"2024-01-02T03:04:05.123456789Z"}` + "\n"},
		{"labels, env and tag as attrs", map[string]string{"labels": "app,missing", "env": "B", "tag": "{{.Name}}/{{.ID}}"},
			`{"log":"hello\n","stream":"stdout","attrs":{"B":"two","app":"shop","tag":"web/0123456789ab"},"time":"2024-01-02T03:04:05.123456789Z"}` + "\n" +
				`{"log":"piece","stream":"stderr","attrs":{"B":"two","app":"shop","tag":"web/0123456789ab"},"time":"2024-01-02T03:04:05.123456789Z"}` + "\n" +
				`{"log":"end\n","stream":"stderr","attrs":{"B":"two","app":"shop","tag":"web/0123456789ab"},"time":"2024-01-02T03:04:05.123456789Z"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := testInfo(t, tt.opts)
			d, err := New("json-file", info)
			if err != nil {
				t.Fatal(err)
			}
			if d.Name() != "json-file" {
				t.Errorf("Name() = %q", d.Name())
			}
			for _, m := range []Message{
				{Line: []byte("hello"), Stream: "stdout", Time: at},
				{Line: []byte("piece"), Stream: "stderr", Time: at, Partial: &PartialMeta{ID: "i", Ordinal: 1}},
				{Line: []byte("end"), Stream: "stderr", Time: at, Partial: &PartialMeta{ID: "i", Ordinal: 2, Last: true}},
			} {
				if err := d.Log(&m); err != nil {
					t.Fatal(err)
				}
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(info.LogPath)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// readAll reads a container's logs back as logs() would print them.
func readAll(t *testing.T, r *Registry, driver string, info Info, cfg ReadConfig) (string, error) {
	t.Helper()
	rd, err := r.OpenReader(driver, info)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	err = rd.ReadLogs(context.Background(), cfg, func(m Message) error {
		b.WriteString(Format(m, false))
		return nil
	})
	return b.String(), err
}

var allStreams = ReadConfig{Tail: -1, Stdout: true, Stderr: true}

func TestJSONFileThroughCopierAndBack(t *testing.T) {
	// max-size 1k is 1000 bytes (decimal, as in Docker): about 12 entries
	// a file, so reading crosses the kept files; max-file 100 keeps all.
	info := testInfo(t, map[string]string{"max-size": "1k", "max-file": "100"})
	d, err := New("json-file", info)
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for i := range 100 {
		want.WriteString(strings.Repeat("z", i%7) + "line\n")
	}
	long := strings.Repeat("L", MaxLineSize+10)
	input := want.String() + long + "\nno newline at the end"
	c := NewCopier("stdout", strings.NewReader(input), d.Log)
	if err := c.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(info.LogPath + ".2"); err != nil {
		t.Errorf("expected rotated files: %v", err)
	}
	got, err := readAll(t, Builtin(), "json-file", info, allStreams)
	if err != nil {
		t.Fatal(err)
	}
	if got != input {
		t.Errorf("read back %d bytes, want the %d bytes written", len(got), len(input))
	}
	got, err = readAll(t, Builtin(), "json-file", info, ReadConfig{Tail: 3, Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	// The long line is two entries; the unterminated end a third.
	if want := long + "\nno newline at the end"; got != want {
		t.Errorf("tail 3 gave %.40q..., want the split line and the end", got)
	}
}

func TestDecimalMaxSize(t *testing.T) {
	info := testInfo(t, map[string]string{"max-size": "1k", "max-file": "2"})
	d, err := New("json-file", info)
	if err != nil {
		t.Fatal(err)
	}
	// Each entry is 1000 bytes on disk: with 1k = 1000 the first fills the
	// file and the second starts a new one; with 1k = 1024 both would
	// share one.
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	overhead := len(`{"log":"\n","stream":"stdout","time":"2024-01-02T03:04:05Z"}` + "\n")
	line := []byte(strings.Repeat("a", 1000-overhead))
	for range 2 {
		if err := d.Log(&Message{Line: line, Stream: "stdout", Time: at}); err != nil {
			t.Fatal(err)
		}
	}
	d.Close()
	st, err := os.Stat(info.LogPath + ".1")
	if err != nil {
		t.Fatalf("no rotation: %v", err)
	}
	if st.Size() != 1000 {
		t.Errorf("rotated file has %d bytes, want 1000", st.Size())
	}
}

func TestNoneDriver(t *testing.T) {
	info := testInfo(t, nil)
	d, err := New("none", info)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Log(&Message{Line: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(info.LogPath); !os.IsNotExist(err) {
		t.Errorf("none wrote a log file: %v", err)
	}
	_, err = OpenReader("none", info)
	if !errors.Is(err, ErrReadingNotSupported) || err.Error() != "configured logging driver does not support reading" {
		t.Errorf("OpenReader: %v", err)
	}
}

func TestUnknownDriver(t *testing.T) {
	if _, err := New("syslogd", testInfo(t, nil)); !errors.Is(err, ErrUnknownDriver) {
		t.Errorf("New: %v", err)
	}
	if _, err := OpenReader("syslogd", testInfo(t, nil)); !errors.Is(err, ErrUnknownDriver) {
		t.Errorf("OpenReader: %v", err)
	}
}

// remoteDriver stands in for syslog or fluentd: it keeps messages in
// memory and cannot read them back.
type remoteDriver struct {
	mu     sync.Mutex
	lines  []string
	fail   error
	closed bool
}

func (d *remoteDriver) Name() string { return "remote" }
func (d *remoteDriver) Log(m *Message) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.lines = append(d.lines, string(m.Line))
	return d.fail
}
func (d *remoteDriver) Close() error { d.closed = true; return nil }

func registryWithRemote(t *testing.T, remote *remoteDriver) *Registry {
	t.Helper()
	r := Builtin()
	err := r.Register(Factory{
		Name:     "remote",
		Options:  []string{"remote-address"},
		New:      func(Info) (Driver, error) { return remote, nil },
		Readback: ReadbackLocalCopy,
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDualLogging(t *testing.T) {
	remoteDown := errors.New("connection refused")
	tests := []struct {
		name     string
		opts     map[string]string
		fail     error
		wantRead string
		wantErr  error
	}{
		{"local copy is read", nil, nil, "a\nb\n", nil},
		{"copy kept when the remote fails", nil, remoteDown, "a\nb\n", nil},
		{"cache-disabled", map[string]string{"cache-disabled": "true"}, nil, "", ErrReadingNotSupported},
		{"cache options", map[string]string{"cache-max-size": "1k", "cache-max-file": "2", "cache-disabled": "false"}, nil, "a\nb\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			remote := &remoteDriver{fail: tt.fail}
			r := registryWithRemote(t, remote)
			info := testInfo(t, tt.opts)
			d, err := r.New("remote", info)
			if err != nil {
				t.Fatal(err)
			}
			if d.Name() != "remote" {
				t.Errorf("Name() = %q", d.Name())
			}
			for _, line := range []string{"a", "b"} {
				err := d.Log(&Message{Line: []byte(line), Stream: "stdout", Time: time.Now().UTC()})
				if !errors.Is(err, tt.fail) || (tt.fail == nil && err != nil) {
					t.Errorf("Log: %v, want %v", err, tt.fail)
				}
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			if !remote.closed || strings.Join(remote.lines, ",") != "a,b" {
				t.Errorf("remote got %q (closed %v)", remote.lines, remote.closed)
			}
			got, err := readAll(t, r, "remote", info, allStreams)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("read: %v, want %v", err, tt.wantErr)
			}
			if got != tt.wantRead {
				t.Errorf("read %q, want %q", got, tt.wantRead)
			}
		})
	}
}

func TestDualLoggingOptions(t *testing.T) {
	r := registryWithRemote(t, &remoteDriver{})
	tests := []struct {
		opts map[string]string
		want string
	}{
		{map[string]string{"remote-address": "x", "cache-max-size": "5m", "cache-max-file": "3"}, ""},
		{map[string]string{"max-size": "1m"}, "unknown log opt 'max-size' for remote log driver"},
		{map[string]string{"cache-disabled": "perhaps"}, "invalid value for option cache-disabled: 'perhaps'"},
		{map[string]string{"cache-max-size": "big"}, "log opt cache-max-size: invalid size: 'big'"},
		{map[string]string{"cache-max-size": "-1"}, "log opt cache-max-size: invalid size: '-1'"},
		{map[string]string{"cache-max-file": "0"}, "cache-max-file cannot be less than 1"},
		{map[string]string{"cache-compress": "true"}, ""},
		{map[string]string{"cache-compress": "yes please"}, "invalid cache-compress 'yes please': want true or false"},
	}
	for _, tt := range tests {
		err := r.ValidateOptions("remote", tt.opts)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%v: got %v, want no error", tt.opts, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%v: got %v, want an error containing %q", tt.opts, err, tt.want)
		}
	}
}

func TestRegister(t *testing.T) {
	newNone := func(Info) (Driver, error) { return noneDriver{}, nil }
	r, err := NewRegistry(Factory{Name: "b", New: newNone}, Factory{Name: "a", New: newNone})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Names(), ","); got != "a,b" {
		t.Errorf("Names() = %q", got)
	}
	tests := []struct {
		f    Factory
		want string
	}{
		{Factory{Name: "a", New: newNone}, `register log driver "a": already registered`},
		{Factory{New: newNone}, "empty name"},
		{Factory{Name: "c"}, `register log driver "c": no New function`},
		{Factory{Name: "c", New: newNone, Readback: 7}, "invalid readback 7"},
	}
	for _, tt := range tests {
		if err := r.Register(tt.f); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Register(%q): %v, want %q", tt.f.Name, err, tt.want)
		}
	}
	// Builtin hands out a new registry each time: registering into one
	// does not change the others.
	b := Builtin()
	if err := b.Register(Factory{Name: "extra", New: newNone}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(Builtin().Names(), ","); got != "json-file,none,syslog" {
		t.Errorf("Builtin().Names() = %q", got)
	}
}

func TestFollowThroughDriver(t *testing.T) {
	info := testInfo(t, nil)
	d, err := New("json-file", info)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := OpenReader("json-file", info)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	lines := make(chan string, 10)
	errc := make(chan error, 1)
	go func() {
		errc <- rd.ReadLogs(context.Background(), ReadConfig{Tail: -1, Stdout: true, Stderr: true, Follow: true, Done: done},
			func(m Message) error { lines <- string(m.Line); return nil })
		close(lines)
	}()
	if err := d.Log(&Message{Line: []byte("ready"), Stream: "stderr", Time: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	if got := <-lines; got != "ready" {
		t.Fatalf("got %q", got)
	}
	if err := d.Log(&Message{Line: []byte("bye"), Stream: "stdout", Time: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	d.Close()
	close(done) // the engine closes Done after closing the driver
	if got := <-lines; got != "bye" {
		t.Errorf("got %q", got)
	}
	if err := <-errc; err != nil {
		t.Errorf("ReadLogs: %v", err)
	}
}

func BenchmarkLog(b *testing.B) {
	dir := b.TempDir()
	d, err := New("json-file", Info{LogPath: filepath.Join(dir, "c-json.log"), Config: map[string]string{"max-size": "10m", "max-file": "2"}})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	m := &Message{Line: []byte("a typical line of container output, about eighty bytes long......"), Stream: "stdout", Time: time.Now().UTC()}
	b.SetBytes(int64(len(m.Line) + 1))
	for b.Loop() {
		if err := d.Log(m); err != nil {
			b.Fatal(err)
		}
	}
}
