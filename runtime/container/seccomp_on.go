//go:build seccomp

package container

// seccompSupported is true when berth was built with libseccomp, so the
// default profile can be applied.
const seccompSupported = true
