package jsonfile

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

var t0 = time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.UTC)

func TestAppendEntryGolden(t *testing.T) {
	tests := []struct {
		name  string
		entry Entry
		attrs string
		want  string
	}{
		{"line", Entry{Line: []byte("hello"), Stream: "stdout", Time: t0},
			"", `{"log":"hello\n","stream":"stdout","time":"2024-01-02T03:04:05.123456789Z"}` + "\n"},
		{"stderr, trailing zeros trimmed", Entry{Line: []byte("x"), Stream: "stderr", Time: time.Date(2024, 1, 2, 3, 4, 5, 120000000, time.UTC)},
			"", `{"log":"x\n","stream":"stderr","time":"2024-01-02T03:04:05.12Z"}` + "\n"},
		{"whole second has no fraction", Entry{Line: []byte("x"), Stream: "stdout", Time: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
			"", `{"log":"x\n","stream":"stdout","time":"2024-01-02T03:04:05Z"}` + "\n"},
		{"other zone written as UTC", Entry{Line: []byte("x"), Stream: "stdout", Time: t0.In(time.FixedZone("X", 2*3600))},
			"", `{"log":"x\n","stream":"stdout","time":"2024-01-02T03:04:05.123456789Z"}` + "\n"},
		{"empty line", Entry{Line: nil, Stream: "stdout", Time: t0},
			"", `{"log":"\n","stream":"stdout","time":"2024-01-02T03:04:05.123456789Z"}` + "\n"},
		{"partial has no newline", Entry{Line: []byte("abc"), Partial: true, Stream: "stdout", Time: t0},
			"", `{"log":"abc","stream":"stdout","time":"2024-01-02T03:04:05.123456789Z"}` + "\n"},
		{"empty partial omits log", Entry{Partial: true, Stream: "stdout", Time: t0},
			"", `{"stream":"stdout","time":"2024-01-02T03:04:05.123456789Z"}` + "\n"},
		{"no stream omits stream", Entry{Line: []byte("x"), Time: t0},
			"", `{"log":"x\n","time":"2024-01-02T03:04:05.123456789Z"}` + "\n"},
		{"html and quotes escaped like Docker", Entry{Line: []byte(`<a href="x">&'\`), Stream: "stdout", Time: t0},
			"", `{"log":"\u003ca href=\"x\"\u003e\u0026'\\\n","stream":"stdout","time":"2024-01-02T03:04:05.123456789Z"}` + "\n"},
		{"control characters", Entry{Line: []byte("a\tb\rc\x01\x1f\x7f"), Stream: "stdout", Time: t0},
			"", `{"log":"a\u0009b\rc\u0001\u001f` + "\x7f" + `\n","stream":"stdout","time":"2024-01-02T03:04:05.123456789Z"}` + "\n"},
		{"utf-8 kept, invalid replaced, separators escaped", Entry{Line: []byte("é€\xff\u2028\u2029z"), Stream: "stdout", Time: t0},
			"", `{"log":"é€\ufffd\u2028\u2029z\n","stream":"stdout","time":"2024-01-02T03:04:05.123456789Z"}` + "\n"},
		{"attrs between stream and time", Entry{Line: []byte("x"), Stream: "stdout", Time: t0},
			`{"a":"1","tag":"web"}`, `{"log":"x\n","stream":"stdout","attrs":{"a":"1","tag":"web"},"time":"2024-01-02T03:04:05.123456789Z"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var attrs []byte
			if tt.attrs != "" {
				attrs = []byte(tt.attrs)
			}
			got, err := appendEntry(nil, tt.entry, attrs)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if !json.Valid(bytes.TrimSpace(got)) {
				t.Errorf("not valid JSON: %s", got)
			}
		})
	}
}

func TestAppendEntryYearOutOfRange(t *testing.T) {
	_, err := appendEntry(nil, Entry{Line: []byte("x"), Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, nil)
	if err == nil {
		t.Fatal("want an error for year 10000")
	}
}

func TestParseEntryRoundTrip(t *testing.T) {
	tests := []Entry{
		{Line: []byte("hello"), Stream: "stdout", Time: t0},
		{Line: []byte("piece"), Partial: true, Stream: "stderr", Time: t0},
		{Line: []byte{}, Stream: "stdout", Time: t0},
		{Line: []byte("tab\there <&> \"q\" \\ é"), Stream: "stdout", Time: t0},
	}
	for _, want := range tests {
		b, err := appendEntry(nil, want, []byte(`{"k":"v"}`))
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseEntry(bytes.TrimSuffix(b, []byte("\n")))
		if err != nil {
			t.Fatal(err)
		}
		if string(got.Line) != string(want.Line) || got.Partial != want.Partial || got.Stream != want.Stream || !got.Time.Equal(want.Time) {
			t.Errorf("round trip of %+v gave %+v", want, got)
		}
	}
}

func TestParseEntryRejectsGarbage(t *testing.T) {
	for _, line := range []string{`{"log":"x`, `not json`, `{"time":"yesterday"}`} {
		if _, err := parseEntry([]byte(line)); err == nil {
			t.Errorf("parseEntry(%q): want an error", line)
		}
	}
}

// The time cache formats as time.RFC3339Nano in UTC, within a second and
// across seconds, days and zones.
func TestTimeCache(t *testing.T) {
	var c timeCache
	base := time.Date(2026, 12, 31, 23, 59, 58, 0, time.UTC)
	for _, d := range []time.Duration{0, 1, 10, 120 * time.Millisecond, 999999999, time.Second, time.Second + 5, 2 * time.Second, 2*time.Second + 100, 3 * time.Second, 0} {
		for _, loc := range []*time.Location{time.UTC, time.FixedZone("X", -5*3600)} {
			tm := base.Add(d).In(loc)
			if got, want := string(c.appendRFC3339Nano(nil, tm)), tm.UTC().Format(time.RFC3339Nano); got != want {
				t.Errorf("%v: %s, want %s", tm, got, want)
			}
		}
	}
}
