package volume

import (
	"errors"
	"strings"
	"testing"

	"berth/runtime/spec"
)

func TestValidateName(t *testing.T) {
	tooShort := func(name string) string {
		return `volume name is too short, names should be at least two alphanumeric characters: got "` + name + `"`
	}
	invalid := func(name string) string {
		return `"` + name + `" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`
	}
	tests := []struct {
		name string
		want string // "" = valid
	}{
		{"ab", ""},
		{"db-data", ""},
		{"My_Vol.1", ""},
		{"0x", ""},
		{"a..b", ""},
		{"", tooShort("")},
		{"a", tooShort("a")},
		{"_", tooShort("_")},
		{"_a", invalid("_a")},
		{".x", invalid(".x")},
		{"..", invalid("..")},
		{"-ab", invalid("-ab")},
		{"a/b", invalid("a/b")},
		{"../etc", invalid("../etc")},
		{"my vol", invalid("my vol")},
		{"a:b", invalid("a:b")},
		{"/data", invalid("/data")},
		{"é1", invalid("é1")},
		{strings.Repeat("v", 255), ""},
		{strings.Repeat("v", 256), `volume name "` + strings.Repeat("v", 256) + `" is too long: 256 characters, at most 255 are allowed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateName(tt.name)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ValidateName(%q) = %v, want nil", tt.name, err)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Fatalf("ValidateName(%q) = %v\nwant %s", tt.name, err, tt.want)
			}
			if !errors.Is(err, ErrInvalid) || !errors.Is(err, spec.ErrInvalid) {
				t.Errorf("ValidateName(%q) does not wrap ErrInvalid", tt.name)
			}
		})
	}
}

func TestAnonymousName(t *testing.T) {
	a, err := anonymousName()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := anonymousName()
	if a == b {
		t.Errorf("two anonymous names are both %s", a)
	}
	if err := ValidateName(a); err != nil {
		t.Errorf("anonymous name %s is not a valid name: %v", a, err)
	}
}
