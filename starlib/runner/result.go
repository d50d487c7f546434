package runner

import (
	"fmt"
	"time"
)

// Status is the outcome of a case.
type Status int

const (
	Passed Status = iota
	Failed
	Skipped
)

func (s Status) String() string {
	switch s {
	case Passed:
		return "PASS"
	case Failed:
		return "FAIL"
	case Skipped:
		return "SKIP"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// CaseResult is what happened to one case; reporters work from it.
type CaseResult struct {
	// File is the scenario file's path as found (relative to the
	// directory berth runs in when the argument was relative).
	File string
	// Name is the test_ function, or "" when the result stands for the
	// whole file: a file without test_ functions, or one that failed to
	// parse, whose top level failed, or whose sandbox failed to close.
	Name     string
	Status   Status
	Duration time.Duration
	// Failure is the error with its Starlark call stack (Failed only).
	Failure string
	// Diagnostics is the state of the sandbox when the case failed.
	Diagnostics string
	// Output is what the case printed (empty when streamed live).
	Output string
	// SkipReason says why a Skipped case did not run.
	SkipReason string
}

// ID is "file::name", or the file alone when Name is "".
func (r CaseResult) ID() string {
	if r.Name == "" {
		return r.File
	}
	return r.File + "::" + r.Name
}

// Summary is the outcome of a run.
type Summary struct {
	Passed, Failed, Skipped int
	// Cases are in file order, then in definition order.
	Cases []CaseResult
	// Interrupted is set when the run was stopped by its context.
	Interrupted bool
}

func (s *Summary) add(rs ...CaseResult) {
	for _, r := range rs {
		switch r.Status {
		case Passed:
			s.Passed++
		case Failed:
			s.Failed++
		case Skipped:
			s.Skipped++
		}
		s.Cases = append(s.Cases, r)
	}
}

// OK reports whether nothing failed and the run was not interrupted.
func (s Summary) OK() bool { return s.Failed == 0 && !s.Interrupted }

// Line is the last line of a report: "N passed, N failed", with
// ", N skipped" when some were skipped.
func (s Summary) Line() string {
	line := fmt.Sprintf("%d passed, %d failed", s.Passed, s.Failed)
	if s.Skipped > 0 {
		line += fmt.Sprintf(", %d skipped", s.Skipped)
	}
	return line
}
