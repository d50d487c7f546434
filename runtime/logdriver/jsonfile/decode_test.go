package jsonfile

import (
	"bytes"
	"testing"
)

// decodeCases are log lines of the writer's shape and of others; the
// decoder must give exactly what encoding/json gives for each.
var decodeCases = []string{
	`{"log":"hello\n","stream":"stdout","time":"2024-01-02T03:04:05.123456789Z"}`,
	`{"log":"piece","stream":"stderr","time":"2024-01-02T03:04:05Z"}`,
	`{"log":"\n","stream":"stdout","time":"2024-01-02T03:04:05Z"}`,
	`{"stream":"stdout","time":"2024-01-02T03:04:05Z"}`,
	`{"log":"x\n","stream":"stdout","attrs":{"a":"1","b\u0041":"\"q\"\\"},"time":"2024-01-02T03:04:05Z"}`,
	`{"log":"x\n","stream":"stdout","attrs":{},"time":"2024-01-02T03:04:05Z"}`,
	`{"log":"tab\u0009 \u003c\u0026\u003e \"q\" \\ \/ \b\f\r é \ufffd \u2028\n","stream":"stdout","time":"2024-01-02T03:04:05Z"}`,
	`{"log":"pair \ud83d\ude00 lone \ud83d x \ude00 bad pair \ud83d\u0041\n","stream":"stdout","time":"2024-01-02T03:04:05Z"}`,
	"{\"log\":\"bad utf8 \xff\xfe \xed\xa0\x80 ok \xe2\x82\xac\\n\",\"stream\":\"stdout\",\"time\":\"2024-01-02T03:04:05Z\"}",
	` { "log" : "spaced\n" , "stream" : "stdout" , "time" : "2024-01-02T03:04:05+02:00" } `,
	`{"time":"2024-01-02T03:04:05Z","stream":"stderr","log":"keys in another order\n"}`,
	`{"log":"first\n","log":"second","stream":"stdout","time":"2024-01-02T03:04:05Z"}`,
	`{"LOG":"upper case key\n","stream":"stdout","time":"2024-01-02T03:04:05Z"}`,
	`{"log":null,"stream":"stdout","time":"2024-01-02T03:04:05Z"}`,
	`{"log":"x","stream":"std\u006fut","time":"2024-01-02T03:04:05Z"}`,
	`{"log":"x","stream":"other","time":"2024-01-02T03:04:05Z"}`,
	`{"log":"x","stream":"stdout","time":null}`,
	`{"log":"x","extra":[1,2,{"y":null}],"time":"2024-01-02T03:04:05Z"}`,
	`{}`,
	// Errors.
	`{"log":"x`,
	`not json`,
	`{"time":"yesterday"}`,
	`{"log":"ctrl ` + "\x01" + `"}`,
	`{"log":"bad escape \x"}`,
	`{"log":"bad \u12"}`,
	`{"log":"x"} trailing`,
	`{"log":"x",}`,
	`{"log":"x","attrs":{"a":1}}`,
	`{"log":"x","attrs":{"a":"\q"}}`,
	`{"log":"quote \'"}`,
	`[]`,
	``,
}

func sameEntry(a, b Entry) bool {
	_, aOff := a.Time.Zone()
	_, bOff := b.Time.Zone()
	return bytes.Equal(a.Line, b.Line) && a.Partial == b.Partial && a.Stream == b.Stream && a.Time.Equal(b.Time) && aOff == bOff
}

func checkDecode(t *testing.T, line []byte) {
	t.Helper()
	var d decoder
	got, gotErr := d.decode(line)
	want, wantErr := parseEntry(line)
	if (gotErr != nil) != (wantErr != nil) || (wantErr == nil && !sameEntry(got, want)) {
		t.Errorf("decode(%q) = %+v, %v\nencoding/json: %+v, %v", line, got, gotErr, want, wantErr)
	}
}

func TestDecodeLikeEncodingJSON(t *testing.T) {
	for _, line := range decodeCases {
		checkDecode(t, []byte(line))
	}
}

func FuzzDecode(f *testing.F) {
	for _, line := range decodeCases {
		f.Add([]byte(line))
	}
	f.Fuzz(func(t *testing.T, line []byte) { checkDecode(t, line) })
}

// What the writer writes takes the fast path, and decoding it allocates
// nothing.
func TestDecodeWriterLinesWithoutAllocating(t *testing.T) {
	for _, attrs := range [][]byte{nil, []byte(`{"tag":"web","x":"<&>"}`)} {
		for _, e := range []Entry{
			{Line: []byte("hello"), Stream: "stdout", Time: t0},
			{Line: []byte("piece"), Partial: true, Stream: "stderr", Time: t0},
			{Line: []byte("tab\t<&> \"q\" \\ é \xff \u2028"), Stream: "stdout", Time: t0},
		} {
			line, err := appendEntry(nil, e, attrs)
			if err != nil {
				t.Fatal(err)
			}
			line = bytes.TrimSuffix(line, []byte("\n"))
			var d decoder
			if _, ok := d.fast(line); !ok {
				t.Errorf("%s: not decoded by the fast path", line)
			}
			if n := testing.AllocsPerRun(10, func() { d.decode(line) }); n != 0 {
				t.Errorf("%s: %.0f allocations per decode, want 0", line, n)
			}
			checkDecode(t, line)
		}
	}
}
