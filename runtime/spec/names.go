package spec

import (
	"maps"
	"slices"
	"strings"
)

// CheckEnv checks "KEY=value" entries, as given to a container or an exec.
func CheckEnv(env []string) error {
	for _, kv := range env {
		key, _, ok := strings.Cut(kv, "=")
		if !ok {
			return invalidf("invalid environment variable %q: want \"KEY=value\"", kv)
		}
		if err := CheckEnvKey(key); err != nil {
			return invalidf("invalid environment variable: %s: %v", kv, err)
		}
	}
	return nil
}

// CheckEnvKey checks a variable's name: what follows the first '=' is the
// value, so a name with '=' would silently become another variable.
func CheckEnvKey(key string) error {
	switch {
	case key == "":
		return invalidf("the variable name is empty")
	case strings.Contains(key, "="):
		return invalidf("invalid environment variable name %q: it must not contain '='", key)
	case strings.ContainsAny(key, " \t\n\x00"):
		return invalidf("invalid environment variable name %q: it must not contain spaces, tabs, newlines or NUL", key)
	}
	return nil
}

// CheckUser checks a user as run, create and exec take it: "name", "uid",
// "name:group" or "uid:gid".
func CheckUser(u string) error {
	if u == "" {
		return nil
	}
	name, group, hasGroup := strings.Cut(u, ":")
	if name == "" || (hasGroup && (group == "" || strings.Contains(group, ":"))) || strings.ContainsAny(u, " \t\n\x00") {
		return invalidf("invalid user %q: want \"name\", \"uid\", \"name:group\" or \"uid:gid\"", u)
	}
	return nil
}

// dnsNamePattern is what may be looked up by name in the embedded DNS and
// written to /etc/hosts: letters, digits, '_', '.' and '-'.
var dnsNamePattern = lazyRegexp(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// CheckAlias checks a network alias or a link's alias: a name other
// containers look up.
func CheckAlias(a string) error {
	if !dnsNamePattern().MatchString(a) {
		return invalidf("invalid alias %q: want letters, digits, '_', '.' and '-', starting with a letter or digit", a)
	}
	return nil
}

// CheckNetworkName checks a network's name, which containers also look up
// ("name.network") in the embedded DNS.
func CheckNetworkName(name string) error {
	if name == "" {
		return invalidf("network create: want a name")
	}
	if !dnsNamePattern().MatchString(name) {
		return invalidf("invalid network name %q: want letters, digits, '_', '.' and '-', starting with a letter or digit", name)
	}
	return nil
}

// maxVolumeName is the longest directory name of a volume store (NAME_MAX).
const maxVolumeName = 255

// CheckVolumeName applies Docker's rule for local volume names,
// [a-zA-Z0-9][a-zA-Z0-9_.-]+, with Docker's messages, and the length
// limit of the store's directory names. reserved is the length of the
// prefix the name is stored under (a run's private volumes carry one), so
// the error names the user's value, not the stored one. The rule also
// keeps a name a single path element: no "/", and neither "." nor "..".
func CheckVolumeName(name string, reserved int) error {
	if !ValidName(name) {
		if len(name) < 2 {
			return invalidf("volume name is too short, names should be at least two alphanumeric characters: got %q", name)
		}
		return invalidf("%q includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path", name)
	}
	if max := maxVolumeName - reserved; len(name) > max {
		return invalidf("volume name %q is too long: %d characters, at most %d are allowed", name, len(name), max)
	}
	return nil
}

// networkOptions are the options each driver takes.
var networkOptions = map[string][]string{
	"bridge":  nil,
	"macvlan": {"parent", "macvlan_mode"},
}

// CheckNetworkOptions refuses options the driver does not take: an
// option silently ignored would make a scenario test something else than
// it says. Drivers berth does not have are the network manager's to
// refuse.
func CheckNetworkOptions(driver string, opts map[string]string) error {
	if driver == "" {
		driver = "bridge"
	}
	known, ok := networkOptions[driver]
	if !ok {
		return nil
	}
	for _, k := range slices.Sorted(maps.Keys(opts)) {
		if !slices.Contains(known, k) {
			if len(known) == 0 {
				return invalidf("unknown option %q for the %s driver: it takes no options", k, driver)
			}
			return invalidf("unknown option %q for the %s driver: want %s", k, driver, strings.Join(known, " or "))
		}
	}
	return nil
}
