package spec

import "strings"

// The pull policies of run and create (docker run --pull).
const (
	PullMissing = "missing" // the default: pull when the image is not stored
	PullAlways  = "always"
	PullNever   = "never"
)

// CheckPull checks a pull policy ("" is PullMissing), in Docker's words.
func CheckPull(policy string) error {
	switch policy {
	case "", PullMissing, PullAlways, PullNever:
		return nil
	}
	return invalidf("invalid pull option: '%s': must be one of \"always\", \"missing\" or \"never\"", policy)
}

// CheckPlatform checks a platform ("" is this machine's): "os/arch" or
// "os/arch/variant", such as "linux/amd64" or "linux/arm/v7".
func CheckPlatform(p string) error {
	if p == "" {
		return nil
	}
	parts := strings.Split(p, "/")
	if len(parts) < 2 || len(parts) > 3 || strings.ContainsFunc(p, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '_' || r == '-' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z')
	}) || strings.Contains(p, "//") || strings.HasSuffix(p, "/") {
		return invalidf("invalid platform %q: want os/arch[/variant], such as linux/amd64", p)
	}
	return nil
}
