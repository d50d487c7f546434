package units

import (
	"slices"
	"testing"
)

func TestParseCPUSet(t *testing.T) {
	tests := []struct {
		in      string
		want    []int
		wantErr string
	}{
		{in: "", want: []int{}},
		{in: "0", want: []int{0}},
		{in: "0-1", want: []int{0, 1}},
		{in: "0,2-3", want: []int{0, 2, 3}},
		{in: "3,1", want: []int{1, 3}},
		{in: "1,1,0-2", want: []int{0, 1, 2}},
		{in: "2-2", want: []int{2}},
		{in: "8191", want: []int{8191}},
		{in: "abc", wantErr: "invalid format: abc"},
		{in: "1-0", wantErr: "invalid format: 1-0"},
		{in: "0,", wantErr: "invalid format: 0,"},
		{in: ",0", wantErr: "invalid format: ,0"},
		{in: "0,,1", wantErr: "invalid format: 0,,1"},
		{in: "-1", wantErr: "invalid format: -1"},
		{in: "0-", wantErr: "invalid format: 0-"},
		{in: "0-1-2", wantErr: "invalid format: 0-1-2"},
		{in: " 0", wantErr: "invalid format:  0"},
		{in: "+1", wantErr: "invalid format: +1"},
		{in: "8192", wantErr: "invalid format: 8192"},
		{in: "0-99999999999999999999", wantErr: "invalid format: 0-99999999999999999999"},
	}
	for _, tt := range tests {
		got, err := ParseCPUSet(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseCPUSet(%q) = %v, %v; want error %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got == nil || !slices.Equal(got, tt.want) {
			t.Errorf("ParseCPUSet(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}
