package logdriver

import (
	"maps"
	"strings"
	"testing"
)

func TestTag(t *testing.T) {
	tests := []struct {
		tag, def, want string
	}{
		{"", "", ""},
		{"", "{{.ID}}", "0123456789ab"},
		{"{{.Name}}", "{{.ID}}", "web"},
		{"{{.FullID}}", "", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
		{"{{.ImageName}}/{{.ImageID}}", "", "busybox/fedcba987654"},
		{"{{.ImageFullID}}", "", "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"},
		{"{{.DaemonName}}@{{.Hostname}}", "", "berth@host1"},
		{"{{upper .Name}}-{{truncate .ID 4}}", "", "WEB-0123"},
		{"static", "", "static"},
	}
	for _, tt := range tests {
		info := testInfo(t, map[string]string{"tag": tt.tag})
		got, err := info.Tag(tt.def)
		if err != nil || got != tt.want {
			t.Errorf("tag %q default %q: got %q, %v; want %q", tt.tag, tt.def, got, err, tt.want)
		}
	}
	for _, bad := range []string{"{{.Name", "{{.Nope}}"} {
		if _, err := testInfo(t, map[string]string{"tag": bad}).Tag(""); err == nil || !strings.Contains(err.Error(), "invalid tag") {
			t.Errorf("tag %q: %v, want an invalid tag error", bad, err)
		}
	}
}

func TestExtraAttributes(t *testing.T) {
	tests := []struct {
		opts map[string]string
		want map[string]string
	}{
		{nil, map[string]string{}},
		{map[string]string{"labels": "app,nosuch"}, map[string]string{"app": "shop"}},
		{map[string]string{"labels-regex": "^t"}, map[string]string{"tier": "front"}},
		{map[string]string{"env": "A,NOVALUE,NOSUCH"}, map[string]string{"A": "1"}},
		{map[string]string{"env-regex": "^B$", "labels": "tier"}, map[string]string{"B": "two", "tier": "front"}},
	}
	for _, tt := range tests {
		got, err := testInfo(t, tt.opts).ExtraAttributes()
		if err != nil || !maps.Equal(got, tt.want) {
			t.Errorf("%v: got %v, %v; want %v", tt.opts, got, err, tt.want)
		}
	}
}
