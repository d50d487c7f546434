package spec

import (
	"errors"
	"strings"
	"testing"
)

// checkErr fails t unless err is nil (want "") or an ErrInvalid whose text
// contains want.
func checkErr(t *testing.T, what string, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Errorf("%s: %v, want valid", what, err)
		}
		return
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("%s: %v, want %q", what, err, want)
		return
	}
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("%s: %v does not wrap ErrInvalid", what, err)
	}
}

func TestCheckEnv(t *testing.T) {
	tests := []struct {
		env  []string
		want string
	}{
		{[]string{"A=1", "B=x=y", "C="}, ""},
		{[]string{"A"}, `invalid environment variable "A": want "KEY=value"`},
		{[]string{"=v"}, "invalid environment variable: =v: the variable name is empty"},
		{[]string{"A B=1"}, `invalid environment variable: A B=1: invalid environment variable name "A B"`},
		{[]string{"A\x00=1"}, `invalid environment variable name "A\x00"`},
	}
	for _, tt := range tests {
		checkErr(t, strings.Join(tt.env, ","), CheckEnv(tt.env), tt.want)
	}
	for key, want := range map[string]string{
		"PATH": "",
		"A=B":  `invalid environment variable name "A=B": it must not contain '='`,
		"A\tB": `invalid environment variable name "A\tB"`,
		"":     "the variable name is empty",
	} {
		checkErr(t, "key "+key, CheckEnvKey(key), want)
	}
}

func TestCheckUser(t *testing.T) {
	for u, want := range map[string]string{
		"":          "",
		"nobody":    "",
		"1000":      "",
		"1000:1000": "",
		"www:adm":   "",
		"1:2:3":     `invalid user "1:2:3": want "name", "uid", "name:group" or "uid:gid"`,
		":1":        `invalid user ":1"`,
		"1:":        `invalid user "1:"`,
		"a b":       `invalid user "a b"`,
	} {
		checkErr(t, "user "+u, CheckUser(u), want)
	}
}

func TestCheckAliasAndNetworkName(t *testing.T) {
	for a, want := range map[string]string{
		"web":      "",
		"db.local": "",
		"x":        "",
		"a b":      `invalid alias "a b": want letters, digits, '_', '.' and '-'`,
		"-x":       `invalid alias "-x"`,
		"wéb":      `invalid alias "wéb"`,
		"":         `invalid alias ""`,
	} {
		checkErr(t, "alias "+a, CheckAlias(a), want)
	}
	for n, want := range map[string]string{
		"mynet":       "",
		"net_1.a-b":   "",
		"":            "network create: want a name",
		"ünï":         `invalid network name "ünï": want letters, digits, '_', '.' and '-'`,
		"a b":         `invalid network name "a b"`,
		"container:x": `invalid network name "container:x"`,
		"a/b":         `invalid network name "a/b"`,
	} {
		checkErr(t, "network "+n, CheckNetworkName(n), want)
	}
}

func TestCheckNetworkOptions(t *testing.T) {
	tests := []struct {
		driver string
		opts   map[string]string
		want   string
	}{
		{"bridge", nil, ""},
		{"", map[string]string{"mtu": "1400"}, `unknown option "mtu" for the bridge driver: it takes no options`},
		{"macvlan", map[string]string{"parent": "eth1", "macvlan_mode": "bridge"}, ""},
		{"macvlan", map[string]string{"parent": "eth1", "bogus": "1"}, `unknown option "bogus" for the macvlan driver: want parent or macvlan_mode`},
		{"overlay", map[string]string{"x": "1"}, ""}, // the network manager refuses the driver
	}
	for _, tt := range tests {
		checkErr(t, tt.driver, CheckNetworkOptions(tt.driver, tt.opts), tt.want)
	}
}

func TestCheckVolumeName(t *testing.T) {
	long := strings.Repeat("v", 250)
	tests := []struct {
		name     string
		reserved int
		want     string
	}{
		{"data", 0, ""},
		{long, 0, ""},
		// Stored with an 11-character prefix: the error names the user's
		// value and the limit left for it.
		{long, 11, `volume name "` + long + `" is too long: 250 characters, at most 244 are allowed`},
		{"a", 0, `volume name is too short, names should be at least two alphanumeric characters: got "a"`},
		{"a/b", 0, `"a/b" includes invalid characters for a local volume name`},
	}
	for _, tt := range tests {
		checkErr(t, tt.name[:min(len(tt.name), 10)], CheckVolumeName(tt.name, tt.reserved), tt.want)
	}
}
