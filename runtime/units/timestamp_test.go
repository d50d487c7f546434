package units

import (
	"strings"
	"testing"
	"time"
)

func TestParseTimestamp(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	now := time.Date(2024, 1, 2, 3, 4, 5, 600_000_000, cet)
	plus7 := time.FixedZone("", 7*3600)
	minus7 := time.FixedZone("", -7*3600)
	tests := []struct {
		in      string
		want    time.Time
		wantErr string
	}{
		// Relative durations count back from now, in whole seconds.
		{in: "10s", want: time.Unix(now.Unix()-10, 0)},
		{in: "1m", want: time.Unix(now.Unix()-60, 0)},
		{in: "1h30m", want: time.Unix(now.Unix()-5400, 0)},
		{in: "1.5s", want: time.Unix(now.Unix()-1, 0)}, // 05.6 - 1.5 = 04.1 -> 04
		{in: "0s", want: time.Unix(now.Unix(), 0)},
		{in: "-10s", want: time.Unix(now.Unix()+10, 0)},
		// Unix seconds.
		{in: "0", want: time.Unix(0, 0)},
		{in: "1700000000", want: time.Unix(1700000000, 0)},
		{in: "1700000000.5", want: time.Unix(1700000000, 500_000_000)},
		{in: "1700000000.000000001", want: time.Unix(1700000000, 1)},
		{in: "1700000000.1234567891234", want: time.Unix(1700000000, 123_456_789)},
		{in: "20060102", want: time.Unix(20060102, 0)},
		// RFC 3339 with a zone.
		{in: "2006-01-02T15:04:05Z", want: time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)},
		{in: "2006-01-02t15:04:05z", wantErr: `parsing time "2006-01-02t15:04:05z"`},
		{in: "2006-01-02T15:04:05.123456789Z", want: time.Date(2006, 1, 2, 15, 4, 5, 123456789, time.UTC)},
		{in: "2006-01-02T15:04:05+07:00", want: time.Date(2006, 1, 2, 15, 4, 5, 0, plus7)},
		{in: "2006-01-02T15:04:05-07:00", want: time.Date(2006, 1, 2, 15, 4, 5, 0, minus7)},
		{in: "2006-01-02T15:04:05.5-07:00", want: time.Date(2006, 1, 2, 15, 4, 5, 500_000_000, minus7)},
		{in: "2006-01-02T15:04Z", want: time.Date(2006, 1, 2, 15, 4, 0, 0, time.UTC)},
		{in: "2006-01-02T15:04+07:00", want: time.Date(2006, 1, 2, 15, 4, 0, 0, plus7)},
		{in: "2006-01-02T15Z", want: time.Date(2006, 1, 2, 15, 0, 0, 0, time.UTC)},
		{in: "2006-01-02Z", want: time.Date(2006, 1, 2, 0, 0, 0, 0, time.UTC)},
		{in: "2006-01-02+07:00", want: time.Date(2006, 1, 2, 0, 0, 0, 0, plus7)},
		// Without a zone: now's zone.
		{in: "2006-01-02T15:04:05", want: time.Date(2006, 1, 2, 15, 4, 5, 0, cet)},
		{in: "2006-01-02T15:04:05.25", want: time.Date(2006, 1, 2, 15, 4, 5, 250_000_000, cet)},
		{in: "2006-01-02T15:04", want: time.Date(2006, 1, 2, 15, 4, 0, 0, cet)},
		{in: "2006-01-02T15", want: time.Date(2006, 1, 2, 15, 0, 0, 0, cet)},
		{in: "2006-01-02", want: time.Date(2006, 1, 2, 0, 0, 0, 0, cet)},
		// Date-like values that do not parse get the time package's error.
		{in: "2006-13-02", wantErr: `parsing time "2006-13-02": month out of range`},
		{in: "2006-01-02T25:00:00", wantErr: `parsing time "2006-01-02T25:00:00": hour out of range`},
		// Docker reads "-5" as a broken date ("cannot parse "-5" as "2006"").
		{in: "-5", wantErr: `invalid time "-5": a negative number of seconds: want unix seconds (0 or more), an RFC 3339 time or a duration such as "10s"`},
		{in: "-1.5", wantErr: `invalid time "-1.5": a negative number of seconds`},
		// Everything else.
		{in: "bogus", wantErr: `failed to parse value as time or duration: "bogus"`},
		{in: "", wantErr: `failed to parse value as time or duration: ""`},
		{in: "10", want: time.Unix(10, 0)},
		{in: "10 s", wantErr: `failed to parse value as time or duration: "10 s"`},
		{in: "1.", wantErr: `failed to parse value as time or duration: "1."`},
		{in: ".5", wantErr: `failed to parse value as time or duration: ".5"`},
		{in: "1.2.3", wantErr: `failed to parse value as time or duration: "1.2.3"`},
		{in: "+5", wantErr: `failed to parse value as time or duration: "+5"`},
		{in: "99999999999999999999", wantErr: `failed to parse value as time or duration: "99999999999999999999"`},
	}
	for _, tt := range tests {
		got, err := ParseTimestamp(tt.in, now)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseTimestamp(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseTimestamp(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}
