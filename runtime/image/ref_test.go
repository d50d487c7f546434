package image

import (
	"strings"
	"testing"
)

func TestNormalizeRef(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"busybox", "busybox:latest"},
		{"busybox:latest", "busybox:latest"},
		{"busybox:1.36", "busybox:1.36"},
		{"library/busybox", "busybox:latest"},
		{"docker.io/library/busybox:latest", "busybox:latest"},
		{"index.docker.io/library/busybox", "busybox:latest"},
		{"docker.io/foo/bar", "foo/bar:latest"},
		{"foo/bar/baz:v1", "foo/bar/baz:v1"},
		{"localhost/app", "localhost/app:latest"},
		{"localhost:5000/app:dev", "localhost:5000/app:dev"},
		{"registry.example.com/team/app:1.0-rc_1", "registry.example.com/team/app:1.0-rc_1"},
		{"a__b.c-d---e", "a__b.c-d---e:latest"},
	}
	for _, tt := range tests {
		got, err := NormalizeRef(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeRef(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNormalizeRefInvalid(t *testing.T) {
	tests := []struct {
		in, rule string
	}{
		{"", "empty"},
		{"Busybox", "must be lowercase"},
		{"busybox:", "tag must be"},
		{"busybox:-x", "tag must be"},
		{"busybox:" + strings.Repeat("a", 129), "tag must be"},
		{"busy box", "lowercase letters and digits"},
		{"foo//bar", "lowercase letters and digits"},
		{"foo_/bar", "lowercase letters and digits"},
		{"busybox@sha256:abcd", "digest references"},
		{"exa_mple.com:5000/app", "registry host"},
		{"localhost:50a0/app", "registry port"},
		{strings.Repeat("a", 256), "longer than 255"},
	}
	for _, tt := range tests {
		_, err := NormalizeRef(tt.in)
		if err == nil {
			t.Errorf("NormalizeRef(%q) succeeded, want an error about %q", tt.in, tt.rule)
			continue
		}
		if !strings.Contains(err.Error(), tt.rule) || !strings.Contains(err.Error(), `"`+tt.in+`"`) {
			t.Errorf("NormalizeRef(%q) error %q, want it to name the value and say %q", tt.in, err, tt.rule)
		}
	}
}
