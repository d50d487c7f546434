package units

import (
	"fmt"
	"strings"
	"time"
)

// ParseDuration accepts Go duration syntax ("100ms", "2s", "1m30s") or a
// plain decimal number of seconds ("2", "0.5"). Negative durations are
// rejected: every caller uses the value as a timeout or a wait.
func ParseDuration(s string) (time.Duration, error) {
	goSyntax := s
	if isDecimal(s) {
		// Appending the unit lets time.ParseDuration do the exact decimal
		// arithmetic and overflow checks; isDecimal guarantees that no
		// unit is already present ("1m"+"s" would read as milliseconds).
		goSyntax = s + "s"
	}
	d, err := time.ParseDuration(goSyntax)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q: want a duration like \"100ms\", \"2s\", \"1m\" or a number of seconds", s)
	}
	if d < 0 || strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("invalid duration %q: must not be negative", s)
	}
	return d, nil
}

// isDecimal reports whether s is an unsigned decimal number such as "2",
// "0.5", "2." or ".5".
func isDecimal(s string) bool {
	digits, dots := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			digits++
		case c == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1
}
