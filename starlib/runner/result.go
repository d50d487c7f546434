package runner

import (
	"fmt"
	"path/filepath"
	"strconv"
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
	// Run counts the -count repeats of the file from 1 (0 is read as 1).
	Run int
	// Kept says what a failed case left as it was under
	// Options.KeepFailed (-work), and how to look at it.
	Kept string
}

// ID is "file::name", or the file alone when Name is "", with "#N" after
// it for the Nth -count repeat (N > 1).
func (r CaseResult) ID() string {
	id := r.File
	if r.Name != "" {
		id += "::" + r.Name
	}
	return id + RunSuffix(r.Run)
}

// CaseName is the case's name for reports that need one per case: Name,
// or the file's base name for the file's own result; with RunSuffix.
func (r CaseResult) CaseName() string {
	name := r.Name
	if name == "" {
		name = filepath.Base(r.File)
	}
	return name + RunSuffix(r.Run)
}

// RunSuffix is "" for the first run of a file and "#N" for the Nth -count
// repeat: repeats are named apart (JUnit readers drop duplicate names).
func RunSuffix(run int) string {
	if run <= 1 {
		return ""
	}
	return "#" + strconv.Itoa(run)
}

// Summary is the outcome of a run.
type Summary struct {
	Passed, Failed, Skipped int
	// Kept counts the failed cases whose sandboxes were kept (-work).
	Kept int
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
		if r.Kept != "" {
			s.Kept++
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
