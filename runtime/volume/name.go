package volume

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"berth/runtime/spec"
)

// ValidateName applies spec.CheckVolumeName to a name as stored. The
// error wraps ErrInvalid.
func ValidateName(name string) error { return spec.CheckVolumeName(name, 0) }

// anonymousName is a fresh name for an anonymous volume: 64 lowercase hex
// digits, like Docker's.
func anonymousName() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random volume name: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
