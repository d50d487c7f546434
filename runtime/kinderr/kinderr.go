// Package kinderr builds errors that print exactly one message (Docker's
// text, which users search for) while errors.Is still finds the sentinel
// that classifies them, so callers branch without matching strings.
package kinderr

import "fmt"

// Error is a message classified by a sentinel error.
type Error struct {
	msg  string
	kind error
}

func (e *Error) Error() string { return e.msg }

// Unwrap returns the sentinel, for errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.kind }

// Errorf formats a message and classifies it as kind. An error of two
// classes (ErrExecFailed and the errno that made execve fail) takes them
// joined: errors.Join(a, b).
func Errorf(kind error, format string, args ...any) error {
	return &Error{msg: fmt.Sprintf(format, args...), kind: kind}
}
