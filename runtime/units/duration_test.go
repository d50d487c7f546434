package units

import (
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{in: "100ms", want: 100 * time.Millisecond},
		{in: "2s", want: 2 * time.Second},
		{in: "1m30s", want: 90 * time.Second},
		{in: "1.5h", want: 90 * time.Minute},
		{in: "0", want: 0},
		{in: "0s", want: 0},
		{in: "2", want: 2 * time.Second},
		{in: "0.5", want: 500 * time.Millisecond},
		{in: ".25", want: 250 * time.Millisecond},
		{in: "2.", want: 2 * time.Second},
		{in: "0.000000001", want: time.Nanosecond},
		{in: "0.0000000001", want: 0},
		{in: "9223372036", want: 9223372036 * time.Second},
		{in: "+2s", want: 2 * time.Second},
		{in: "abc", wantErr: `invalid duration "abc": want a duration like "100ms", "2s", "1m" or a number of seconds`},
		{in: "", wantErr: `invalid duration ""`},
		{in: " 2s", wantErr: `invalid duration " 2s"`},
		{in: "2 s", wantErr: `invalid duration "2 s"`},
		{in: "1e3", wantErr: `invalid duration "1e3"`},
		{in: "0x10", wantErr: `invalid duration "0x10"`},
		{in: "1.2.3", wantErr: `invalid duration "1.2.3"`},
		{in: ".", wantErr: `invalid duration "."`},
		{in: "inf", wantErr: `invalid duration "inf"`},
		{in: "9223372037", wantErr: `invalid duration "9223372037"`},
		{in: "3000000h", wantErr: `invalid duration "3000000h"`},
		{in: "-1s", wantErr: `invalid duration "-1s": must not be negative`},
		{in: "-2", wantErr: `invalid duration "-2"`},
		{in: "-0s", wantErr: `must not be negative`},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseDuration(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}
