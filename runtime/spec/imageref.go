package spec

import (
	"fmt"
	"strings"
)

const (
	defaultTag    = "latest"
	maxNameLength = 255
)

// The grammar of github.com/distribution/reference, which Docker uses.
var (
	pathComponentRE   = lazyRegexp(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)
	tagRE             = lazyRegexp(`^[\w][\w.-]{0,127}$`)
	domainComponentRE = lazyRegexp(`^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$`)
	portRE            = lazyRegexp(`^[0-9]+$`)
)

// NormalizeImageRef turns an image reference into the familiar name:tag form that
// Docker shows in RepoTags: "busybox" -> "busybox:latest",
// "docker.io/library/busybox" -> "busybox:latest",
// "localhost:5000/app" -> "localhost:5000/app:latest". Digest references
// (name@sha256:...) are not supported: images here are not pulled.
func NormalizeImageRef(ref string) (string, error) {
	bad := func(rule string) error {
		return fmt.Errorf("invalid image reference %q: %s", ref, rule)
	}
	if ref == "" {
		return "", bad("it is empty")
	}
	if strings.Contains(ref, "@") {
		return "", bad("digest references (name@sha256:...) are not supported, use name:tag")
	}
	domain, rest := splitDomain(ref)
	name, tag := rest, defaultTag
	if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		name, tag = rest[:i], rest[i+1:]
		if !tagRE().MatchString(tag) {
			return "", bad(`the tag must be 1 to 128 letters, digits, "_", "." or "-", not starting with "." or "-"`)
		}
	}
	if name == "" {
		return "", bad("the repository name is empty")
	}
	if strings.ToLower(name) != name {
		return "", bad("repository name must be lowercase")
	}
	for _, c := range strings.Split(name, "/") {
		if !pathComponentRE().MatchString(c) {
			return "", bad(`each part of the repository name between "/" must be lowercase letters and digits, separated by ".", "_", "__" or "-"`)
		}
	}
	if domain != "" {
		if err := checkDomain(domain); err != nil {
			return "", bad(err.Error())
		}
	}
	switch domain {
	case "docker.io", "index.docker.io":
		domain = ""
	}
	if domain == "" {
		if after, ok := strings.CutPrefix(name, "library/"); ok && !strings.Contains(after, "/") {
			name = after
		}
	} else {
		name = domain + "/" + name
	}
	if len(name) > maxNameLength {
		return "", bad(fmt.Sprintf("the repository name is longer than %d characters", maxNameLength))
	}
	return name + ":" + tag, nil
}

// splitDomain separates a registry host from the rest, the way Docker does:
// the first component is a host when it holds "." or ":" or is "localhost".
func splitDomain(ref string) (domain, rest string) {
	i := strings.IndexByte(ref, '/')
	if i < 0 {
		return "", ref
	}
	first := ref[:i]
	if first == "localhost" || strings.ContainsAny(first, ".:") || strings.ToLower(first) != first {
		return first, ref[i+1:]
	}
	return "", ref
}

func checkDomain(domain string) error {
	host, port, hasPort := strings.Cut(domain, ":")
	if hasPort && !portRE().MatchString(port) {
		return fmt.Errorf("registry port %q must be digits", port)
	}
	for _, c := range strings.Split(host, ".") {
		if !domainComponentRE().MatchString(c) {
			return fmt.Errorf("registry host %q must be dot-separated letters, digits and inner \"-\"", host)
		}
	}
	return nil
}
