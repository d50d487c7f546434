package spec

import (
	"errors"
	"strings"
	"testing"
)

func TestStorageSize(t *testing.T) {
	tests := []struct {
		opt     map[string]string
		want    int64
		wantErr string
	}{
		{nil, 0, ""},
		{map[string]string{"size": "64m"}, 64 << 20, ""},
		{map[string]string{"SIZE": "1g"}, 1 << 30, ""},
		{map[string]string{"size": "1m"}, 1 << 20, ""},
		{map[string]string{"size": "1t"}, 1 << 40, ""},
		{map[string]string{"quota": "1g"}, 0, "Unknown option quota"},
		{map[string]string{"size": "lots"}, 0, `storage_opt size "lots": invalid size: 'lots'`},
		{map[string]string{"size": "1048575"}, 0, `storage_opt size "1048575" (1048575 bytes): want from 1m (1048576 bytes) to 1t (1099511627776 bytes)`},
		{map[string]string{"size": "0"}, 0, "want from 1m"},
		{map[string]string{"size": "1025g"}, 0, "to 1t"},
		{map[string]string{"size": "9223372036854775807"}, 0, "to 1t"},
		{map[string]string{"size": "8e"}, 0, `storage_opt size "8e"`},
		{map[string]string{"size": "-1"}, 0, `storage_opt size "-1"`},
	}
	for _, tt := range tests {
		c := Container{Image: "busybox", StorageOpt: tt.opt}
		got, err := c.StorageSize()
		if tt.wantErr == "" {
			if err != nil || got != tt.want {
				t.Errorf("%v: got %d, %v; want %d", tt.opt, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrInvalid) {
			t.Errorf("%v: got %d, %v; want an invalid-argument error with %q", tt.opt, got, err, tt.wantErr)
		}
		if err := c.Validate(Host{NumCPU: 2}); err == nil {
			t.Errorf("%v: Validate accepted it", tt.opt)
		}
	}
}
