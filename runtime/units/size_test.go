package units

import (
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	const (
		kib = 1 << 10
		mib = 1 << 20
		gib = 1 << 30
	)
	tests := []struct {
		in      string
		want    int64
		wantErr string
	}{
		{in: "0", want: 0},
		{in: "512", want: 512},
		{in: "512b", want: 512},
		{in: "1k", want: kib},
		{in: "1kb", want: kib},
		{in: "1KiB", want: kib},
		{in: "1K", want: kib},
		{in: "64m", want: 64 * mib},
		{in: "64M", want: 64 * mib},
		{in: "6MB", want: 6 * mib},
		{in: "1g", want: gib},
		{in: "1.5g", want: gib + gib/2},
		{in: "2t", want: 2 << 40},
		{in: "1p", want: 1 << 50},
		{in: "1 m", want: mib},
		{in: "0.5k", want: 512},
		{in: "1.0001", want: 1},
		{in: "abc", wantErr: "invalid size: 'abc'"},
		{in: "", wantErr: "invalid size: ''"},
		{in: "-1", wantErr: "invalid size: '-1'"},
		{in: "-1m", wantErr: "invalid size: '-1m'"},
		{in: "1x", wantErr: "invalid size: '1x': invalid suffix: 'x'"},
		{in: "1kk", wantErr: "invalid size: '1kk'"},
		{in: "1e", wantErr: "invalid size: '1e'"},
		{in: "1.2.3m", wantErr: "invalid size: '1.2.3m'"},
		{in: "8192p", wantErr: "invalid size: '8192p': too large"},
		{in: "9223372036854775807", wantErr: "invalid size: '9223372036854775807': too large"},
		{in: "1e400", wantErr: "invalid size: '1e400'"},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseSize(%q) = %d, %v; want error containing %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseDecimalSize(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr string
	}{
		{in: "1k", want: 1000},
		{in: "10m", want: 10_000_000},
		{in: "1KiB", want: 1000}, // FromHumanSize reads every unit as decimal
		{in: "-1", wantErr: "invalid size: '-1'"},
		{in: "abc", wantErr: "invalid size: 'abc'"},
		{in: "10000000000p", wantErr: "invalid size: '10000000000p': too large"},
	}
	for _, tt := range tests {
		got, err := ParseDecimalSize(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseDecimalSize(%q) = %d, %v; want error containing %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDecimalSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}
