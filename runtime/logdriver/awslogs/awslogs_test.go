package awslogs

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"berth/runtime/capture/cloudwatch"
	"berth/runtime/logdriver"
)

const testID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// stand is a CloudWatch stand-in that knows the test's secret, with the
// SDK's default chain pointed at that key only (no shared files).
func stand(t *testing.T) *cloudwatch.Server {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDBERTHTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "berth-secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent/berth-test")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/berth-test")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "")
	s, err := cloudwatch.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Secrets = map[string]string{"AKIDBERTHTEST": "berth-secret"}
	t.Cleanup(func() { s.Close() })
	return s
}

func info(s *cloudwatch.Server, opts map[string]string) logdriver.Info {
	cfg := map[string]string{"awslogs-endpoint": s.Endpoint(), "awslogs-region": "eu-west-1", "awslogs-group": "g"}
	for k, v := range opts {
		if v == "-" {
			delete(cfg, k)
			continue
		}
		cfg[k] = v
	}
	return logdriver.Info{ContainerID: testID, ContainerName: "/web", Config: cfg}
}

func logAll(t *testing.T, d logdriver.Driver, msgs ...logdriver.Message) {
	t.Helper()
	for i := range msgs {
		if err := d.Log(&msgs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
}

func ops(s *cloudwatch.Server) []string {
	var out []string
	for _, r := range s.Requests() {
		op := r.Operation
		if r.Error != "" {
			op += "!" + strings.TrimSuffix(r.Error, "Exception")
		}
		out = append(out, op)
	}
	return out
}

func TestCreate(t *testing.T) {
	tests := []struct {
		name     string
		opts     map[string]string
		existing bool
		wantOps  []string
		wantErr  string
		streams  []string
	}{
		{name: "existing group, default stream", existing: true,
			wantOps: []string{"CreateLogStream", "PutLogEvents"}, streams: []string{testID}},
		{name: "create group", opts: map[string]string{"awslogs-create-group": "true", "awslogs-stream": "s"},
			wantOps: []string{"CreateLogStream!ResourceNotFound", "CreateLogGroup", "CreateLogStream", "PutLogEvents"}, streams: []string{"s"}},
		{name: "missing group", opts: map[string]string{"awslogs-stream": "s"},
			wantOps: []string{"CreateLogStream!ResourceNotFound"},
			wantErr: "failed to create Cloudwatch log stream: operation error CloudWatch Logs: CreateLogStream"},
		{name: "stream named by tag", existing: true, opts: map[string]string{"tag": "{{.Name}}"},
			wantOps: []string{"CreateLogStream", "PutLogEvents"}, streams: []string{"web"}},
		{name: "no stream creation", existing: true, opts: map[string]string{"awslogs-create-stream": "false"},
			wantOps: []string{"PutLogEvents!ResourceNotFound"}, streams: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := stand(t)
			if tt.existing {
				s.CreateGroup("g")
			}
			d, err := New(info(s, tt.opts))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New = %v, want %q", err, tt.wantErr)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				logAll(t, d, logdriver.Message{Line: []byte("hi"), Stream: "stdout", Time: time.Now()})
			}
			if diff := cmp.Diff(tt.wantOps, ops(s)); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if tt.streams != nil {
				if diff := cmp.Diff(tt.streams, s.Groups()["g"]); diff != "" {
					t.Errorf("streams (-want +got):\n%s", diff)
				}
			}
			if err := s.Err(); err != nil {
				t.Errorf("the service would refuse: %v", err)
			}
			for _, r := range s.Requests() {
				if r.AccessKey != "AKIDBERTHTEST" || r.Region != "eu-west-1" {
					t.Errorf("%s signed by %q for %q", r.Operation, r.AccessKey, r.Region)
				}
			}
		})
	}
}

func TestBatches(t *testing.T) {
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	msg := func(text string, at time.Time) logdriver.Message {
		return logdriver.Message{Line: []byte(text), Stream: "stdout", Time: at}
	}
	var many, big, outOfOrder, span []logdriver.Message
	for i := range 25_000 {
		many = append(many, msg(fmt.Sprintf("m%d", i), base))
	}
	for i := range 2000 {
		big = append(big, msg(strings.Repeat("x", 999)+fmt.Sprint(i%10), base))
	}
	outOfOrder = []logdriver.Message{msg("b", base.Add(time.Second)), msg("a", base), msg("c", base.Add(time.Second))}
	span = []logdriver.Message{msg("d1", base), msg("d2", base.Add(25*time.Hour)), msg("d3", base.Add(26*time.Hour))}
	huge := strings.Repeat("é", 200_000) // 400,000 bytes
	tests := []struct {
		name       string
		msgs       []logdriver.Message
		wantEvents []string // nil: just count
		wantCount  int
		wantPuts   []int // events per PutLogEvents
	}{
		{"10,000 events at most", many, nil, 25_000, []int{10_000, 10_000, 5_000}},
		{"1 MiB counting 26 bytes an event", big, nil, 2000, []int{1022, 978}},
		{"sorted by time, arrival order kept for ties", outOfOrder, []string{"a", "b", "c"}, 3, []int{3}},
		{"24 hours at most", span, []string{"d1", "d2", "d3"}, 3, []int{1, 2}},
		{"over 256 KiB split between characters", []logdriver.Message{msg(huge, base)},
			[]string{huge[:262_118], huge[262_118:]}, 2, []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := stand(t)
			s.CreateGroup("g")
			d, err := New(info(s, map[string]string{"awslogs-force-flush-interval-seconds": "3600", "awslogs-max-buffered-events": "100000"}))
			if err != nil {
				t.Fatal(err)
			}
			logAll(t, d, tt.msgs...)
			events := s.Events()
			if len(events) != tt.wantCount {
				t.Fatalf("%d events, want %d", len(events), tt.wantCount)
			}
			if tt.wantEvents != nil {
				var got []string
				for _, e := range events {
					got = append(got, e.Message)
				}
				if diff := cmp.Diff(tt.wantEvents, got); diff != "" {
					t.Errorf("events (-want +got):\n%s", diff)
				}
			}
			var puts []int
			for _, r := range s.Requests() {
				if r.Operation == "PutLogEvents" {
					puts = append(puts, r.Events)
				}
			}
			if diff := cmp.Diff(tt.wantPuts, puts); diff != "" {
				t.Errorf("events per request (-want +got):\n%s", diff)
			}
			if err := s.Err(); err != nil {
				t.Errorf("the service would refuse: %v", err)
			}
		})
	}
}

func TestMultiline(t *testing.T) {
	now := time.Now()
	lines := func(texts ...string) []logdriver.Message {
		var out []logdriver.Message
		for i, s := range texts {
			out = append(out, logdriver.Message{Line: []byte(s), Stream: "stdout", Time: now.Add(time.Duration(i) * time.Millisecond)})
		}
		return out
	}
	tests := []struct {
		name  string
		opts  map[string]string
		lines []logdriver.Message
		want  []string
	}{
		{"pattern", map[string]string{"awslogs-multiline-pattern": "^INFO"},
			lines("INFO a", "  at x", "  at y", "INFO b", "INFO c", "tail"),
			[]string{"INFO a\n  at x\n  at y\n", "INFO b\n", "INFO c\ntail\n"}},
		{"datetime format", map[string]string{"awslogs-datetime-format": `\[%Y-%m-%d %H:%M:%S\]`},
			lines("[2026-03-01 10:00:00] start", "detail", "[2026-03-01 10:00:01] next"),
			[]string{"[2026-03-01 10:00:00] start\ndetail\n", "[2026-03-01 10:00:01] next\n"}},
		{"lines before the first match are an event", map[string]string{"awslogs-multiline-pattern": "^-"},
			lines("pre", "- one", "more"),
			[]string{"pre\n", "- one\nmore\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := stand(t)
			s.CreateGroup("g")
			d, err := New(info(s, tt.opts))
			if err != nil {
				t.Fatal(err)
			}
			logAll(t, d, tt.lines...)
			var got []string
			for _, e := range s.Events() {
				got = append(got, e.Message)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if s.Events()[0].Timestamp != now.UnixMilli() {
				t.Errorf("first event at %d, want its first line's time %d", s.Events()[0].Timestamp, now.UnixMilli())
			}
		})
	}
}

func TestFlushInterval(t *testing.T) {
	s := stand(t)
	s.CreateGroup("g")
	d, err := New(info(s, map[string]string{"awslogs-force-flush-interval-seconds": "1"}))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.Log(&logdriver.Message{Line: []byte("soon"), Stream: "stdout", Time: time.Now()})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.Wait(ctx, 1); err != nil {
		t.Fatalf("an event was not sent while the driver stayed open: %v", err)
	}
}

func TestEMFHeader(t *testing.T) {
	s := stand(t)
	s.CreateGroup("g")
	d, err := New(info(s, map[string]string{"awslogs-format": "json/emf"}))
	if err != nil {
		t.Fatal(err)
	}
	logAll(t, d, logdriver.Message{Line: []byte(`{"a":1}`), Stream: "stdout", Time: time.Now()})
	for _, r := range s.Requests() {
		if r.LogsFormat != "json/emf" {
			t.Errorf("%s without x-amzn-logs-format: json/emf", r.Operation)
		}
	}
}

func TestWrongSecretIsRefused(t *testing.T) {
	s := stand(t)
	s.CreateGroup("g")
	s.Secrets["AKIDBERTHTEST"] = "another-secret"
	if _, err := New(info(s, nil)); err == nil || !strings.Contains(err.Error(), "InvalidSignatureException") {
		t.Fatalf("New signed with the wrong secret = %v, want InvalidSignatureException", err)
	}
}

func TestNoCredentialsNeverAsksIMDS(t *testing.T) {
	s := stand(t)
	s.CreateGroup("g")
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	_, err := New(info(s, nil))
	if err == nil || !strings.Contains(err.Error(), "access disabled to EC2 IMDS") {
		t.Fatalf("New without credentials = %v; want a credentials error that says IMDS is off", err)
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests reached the service without credentials", n)
	}
}

func TestValidation(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	tests := []struct {
		opts map[string]string
		want string
	}{
		{map[string]string{"awslogs-group": "g", "awslogs-region": "r", "bogus": "1"}, "unknown log opt 'bogus' for awslogs log driver"},
		{map[string]string{"awslogs-region": "r"}, "must specify a value for log opt 'awslogs-group'"},
		{map[string]string{"awslogs-group": "g"}, "cannot determine region for awslogs driver"},
		{map[string]string{"awslogs-group": "g", "awslogs-region": "r", "awslogs-create-group": "yes"}, "must specify valid value for log opt 'awslogs-create-group'"},
		{map[string]string{"awslogs-group": "g", "awslogs-region": "r", "awslogs-create-stream": "2"}, "must specify valid value for log opt 'awslogs-create-stream'"},
		{map[string]string{"awslogs-group": "g", "awslogs-region": "r", "awslogs-force-flush-interval-seconds": "0"}, "must specify a positive integer for log opt 'awslogs-force-flush-interval-seconds': 0"},
		{map[string]string{"awslogs-group": "g", "awslogs-region": "r", "awslogs-max-buffered-events": "x"}, "must specify a positive integer for log opt 'awslogs-max-buffered-events': x"},
		{map[string]string{"awslogs-group": "g", "awslogs-region": "r", "awslogs-datetime-format": "%Y", "awslogs-multiline-pattern": "x"}, "you cannot configure log opt 'awslogs-datetime-format' and 'awslogs-multiline-pattern' at the same time"},
		{map[string]string{"awslogs-group": "g", "awslogs-region": "r", "awslogs-format": "xml"}, "unsupported log format 'xml'"},
		{map[string]string{"awslogs-group": "g", "awslogs-region": "r", "awslogs-format": "json/emf", "awslogs-multiline-pattern": "x"}, "you cannot configure log opt 'awslogs-datetime-format' or 'awslogs-multiline-pattern' when log opt 'awslogs-format' is set to 'json/emf'"},
		{map[string]string{"awslogs-group": "g", "awslogs-region": "r", "awslogs-multiline-pattern": "("}, "awslogs could not parse multiline pattern key"},
		{map[string]string{"awslogs-group": "g", "awslogs-region": "r", "awslogs-endpoint": "ftp://x"}, "invalid log opt 'awslogs-endpoint': 'ftp://x'"},
		{map[string]string{"awslogs-group": "g", "awslogs-region": "r", "tag": "{{"}, "invalid tag"},
		{map[string]string{"awslogs-group": "g", "awslogs-region": "r", "awslogs-endpoint": "http://127.0.0.1:1", "awslogs-datetime-format": "%H:%M"}, ""},
	}
	reg, err := logdriver.NewRegistry(Factory())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		err := reg.ValidateOptions(Name, tt.opts)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%v: %v", tt.opts, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%v: got %v, want %q", tt.opts, err, tt.want)
		}
	}
}
