package units

import (
	"fmt"
	"math"
	"strings"

	"github.com/docker/go-units"
)

// ParseSize parses a byte size the way Docker parses --memory and the
// json-file max-size option (go-units RAMInBytes): a decimal number with an
// optional binary unit b, k, m, g, t or p (any case, optionally followed by
// "b" or "ib"), so "64m" is 64 MiB and "1.5g" is 1.5 GiB. A bare number
// counts bytes. Fractions of a byte are truncated.
func ParseSize(s string) (int64, error) {
	n, err := units.RAMInBytes(s)
	if err != nil {
		// go-units' own "invalid size: '...'" already names the value
		// (and is Docker's exact text); its other errors name only the
		// offending part, so add the whole value.
		if strings.HasPrefix(err.Error(), "invalid size: ") {
			return 0, err
		}
		return 0, fmt.Errorf("invalid size: '%s': %w", s, err)
	}
	// RAMInBytes converts a float64 to int64 without a range check: values
	// of 2^63 or more come back negative (amd64) or saturated (arm64).
	// No in-range float64 converts to MaxInt64, so that value means overflow.
	if n < 0 || n == math.MaxInt64 {
		return 0, fmt.Errorf("invalid size: '%s': too large, the maximum is 8 EiB", s)
	}
	return n, nil
}

// ParseDecimalSize parses a size the way Docker parses json-file's
// max-size (go-units FromHumanSize): decimal units, so "1k" is 1000 bytes
// and "10m" 10,000,000. Negative sizes are refused.
func ParseDecimalSize(s string) (int64, error) {
	n, err := units.FromHumanSize(s)
	if err != nil {
		return 0, err // "invalid size: '...'", Docker's text
	}
	if n < 0 || n == math.MaxInt64 { // the same float conversion as RAMInBytes
		return 0, fmt.Errorf("invalid size: '%s': too large, the maximum is 9.2 EB", s)
	}
	return n, nil
}
