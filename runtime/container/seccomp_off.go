//go:build !seccomp

package container

const seccompSupported = false
