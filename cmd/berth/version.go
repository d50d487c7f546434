package main

import (
	"runtime/debug"
	"strings"
)

// version is set at build time: go build -ldflags "-X main.version=v1.2.3"
// (the Makefile sets it from git describe).
var version string

// versionString is berth's version: the one set at build time, else what
// the Go toolchain recorded (the module version, or the VCS revision and
// whether the tree was modified), else "devel".
func versionString() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "-dirty"
			}
		}
	}
	if rev == "" {
		return "devel"
	}
	return "devel-" + strings.TrimSpace(rev[:min(12, len(rev))]) + modified
}
