package volume

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"berth/runtime/spec"
)

// ValidateName applies Docker's rule for local volume names,
// [a-zA-Z0-9][a-zA-Z0-9_.-]+, with Docker's messages. The error wraps
// ErrInvalid. The rule also keeps a name a single path element: no "/",
// and neither "." nor "..".
func ValidateName(name string) error {
	if spec.ValidName(name) {
		return nil
	}
	if len(name) < 2 {
		return invalidError("volume name is too short, names should be at least two alphanumeric characters")
	}
	return invalidError(fmt.Sprintf("%q includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path", name))
}

// invalidError prints only Docker's message but matches ErrInvalid.
type invalidError string

func (e invalidError) Error() string        { return string(e) }
func (e invalidError) Is(target error) bool { return target == ErrInvalid }

// anonymousName is a fresh name for an anonymous volume: 64 lowercase hex
// digits, like Docker's.
func anonymousName() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random volume name: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
