// Package report holds the machine-readable reports of a run, each a
// runner.Reporter: JUnit XML (NewJUnit), a `go test -json` stream
// (NewJSON) and TAP version 13 (NewTAP).
//
// Each writes into a buffer and hands it to its writer once per file (and
// at the end of the run): no system call per event, so a report costs the
// run next to nothing.
package report

import (
	"strings"

	"berth/starlib/runner"
)

// message is the one line that says why a case failed: the last line of
// its failure (the error; the lines above it are the call stack).
func message(r runner.CaseResult) string {
	text := strings.TrimRight(r.Failure, "\n")
	if i := strings.LastIndexByte(text, '\n'); i >= 0 {
		text = text[i+1:]
	}
	return strings.TrimSpace(text)
}

// details is the failure, then the sandbox's diagnostics.
func details(r runner.CaseResult) string {
	var b strings.Builder
	b.WriteString(strings.TrimRight(r.Failure, "\n"))
	if r.Diagnostics != "" {
		b.WriteString("\n\nsandbox:\n")
		b.WriteString(strings.TrimRight(r.Diagnostics, "\n"))
	}
	return b.String()
}
