package netdev

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestValidateName(t *testing.T) {
	tests := []struct {
		name    string
		wantErr string // "" for valid
	}{
		{"eth0", ""},
		{"berth0", ""},
		{"br-0123456789ab", ""}, // 15: the engine's user bridge names
		{"br-0123456789abc", `"br-0123456789abc" is 16 characters long, at most 15 allowed`},
		{"", "empty name"},
		{".", `"." is not allowed`},
		{"..", `".." is not allowed`},
		{"a/b", "contains '/', ':' or white space"},
		{"eth0:1", "contains '/', ':' or white space"},
		{"a b", "contains '/', ':' or white space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateName(tt.name)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ValidateName(%q) = %v, want nil", tt.name, err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidName) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ValidateName(%q) = %v, want ErrInvalidName containing %q", tt.name, err, tt.wantErr)
			}
		})
	}
}

func TestRandomNameFitsAndVaries(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		n := randomName(VethPrefix)
		if err := ValidateName(n); err != nil {
			t.Fatal(err)
		}
		if len(n) != len(VethPrefix)+8 || !strings.HasPrefix(n, VethPrefix) {
			t.Fatalf("randomName = %q, want %s + 8 hex digits", n, VethPrefix)
		}
		seen[n] = true
	}
	if len(seen) < 99 {
		t.Fatalf("only %d distinct names out of 100", len(seen))
	}
}

func TestDeleteLink(t *testing.T) {
	path, h := newHost(t)
	addVethPair(t, h, "vetha", "vethb")
	if err := DeleteLink(h, "vetha"); err != nil {
		t.Fatal(err)
	}
	if got := linkNames(t, path); !slices.Equal(got, []string{"lo"}) {
		t.Fatalf("links after delete = %v, want [lo] (the peer goes with its pair)", got)
	}
	if err := DeleteLink(h, "vetha"); err != nil {
		t.Fatalf("deleting a missing link: %v, want nil", err)
	}
	if err := DeleteLink(h, "much-too-long-name"); !errors.Is(err, ErrInvalidName) {
		t.Fatalf("DeleteLink(long name) = %v, want ErrInvalidName", err)
	}
	if err := DeleteLink(nil, "x"); err == nil {
		t.Fatal("DeleteLink(nil handle) = nil, want an error")
	}
}

func TestListLinks(t *testing.T) {
	_, h := newHost(t)
	addVethPair(t, h, "vethb1", "other1")
	addVethPair(t, h, "vetha2", "other2")
	if _, err := EnsureBridge(h, "br-aaa", mustPrefix("172.30.0.1/16"), 0); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"veth", []string{"vetha2", "vethb1"}},
		{"br-", []string{"br-aaa"}},
		{"other", []string{"other1", "other2"}},
		{"berth0", nil},
		{"", []string{"br-aaa", "lo", "other1", "other2", "vetha2", "vethb1"}},
	}
	for _, tt := range tests {
		got, err := ListLinks(h, tt.prefix)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("ListLinks(%q) = %v, want %v", tt.prefix, got, tt.want)
		}
	}
}
