package units

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Layouts Docker accepts for --since/--until besides time.RFC3339 and
// time.RFC3339Nano (github.com/docker/docker/api/types/time).
const (
	layoutRFC3339Local     = "2006-01-02T15:04:05"
	layoutRFC3339NanoLocal = "2006-01-02T15:04:05.999999999"
	layoutDateWithZone     = "2006-01-02Z07:00"
	layoutDateLocal        = "2006-01-02"
)

// ParseTimestamp interprets a `docker logs --since/--until` value, following
// Docker's GetTimestamp:
//
//   - a Go duration ("10s", "1m") means that long before now, truncated to
//     whole seconds as Docker does ("0" is not a duration but unix time 0);
//   - RFC 3339 forms, with or without fractional seconds, with or without a
//     zone, down to a bare date ("2006-01-02", "2006-01-02T15",
//     "2006-01-02T15:04", "2006-01-02T15:04:05.5+01:00", ...). Values without
//     a zone are read in now's zone;
//   - unix seconds with an optional fraction ("1700000000.5"); digits past
//     nanoseconds are truncated.
//
// A negative number is refused as such. A value that looks like a date (it
// contains '-') but does not parse gets the time package's error, as in
// Docker; anything else unparsable gets `failed to parse value as time or
// duration: "<value>"`.
func ParseTimestamp(value string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(value); err == nil && value != "0" {
		return time.Unix(now.Add(-d).Unix(), 0), nil
	}
	if _, _, ok := parseUnixSeconds(strings.TrimPrefix(value, "-")); ok && value[0] == '-' {
		// Docker takes it for a date and complains about the year.
		return time.Time{}, fmt.Errorf("invalid time %q: a negative number of seconds: want unix seconds (0 or more), an RFC 3339 time or a duration such as \"10s\"", value)
	}

	// Docker's heuristic: a 'Z', a '+' or exactly three dashes mean the
	// value carries its own zone.
	inLocal := !strings.ContainsAny(value, "zZ+") && strings.Count(value, "-") != 3
	layout := timestampLayout(value, inLocal)

	var t time.Time
	var err error
	if inLocal {
		t, err = time.ParseInLocation(layout, value, time.FixedZone(now.Zone()))
	} else {
		t, err = time.Parse(layout, value)
	}
	if err == nil {
		return t, nil
	}
	if strings.Contains(value, "-") {
		return time.Time{}, err // meant as a date; the parse error says what is wrong
	}
	sec, nsec, ok := parseUnixSeconds(value)
	if !ok {
		return time.Time{}, fmt.Errorf("failed to parse value as time or duration: %q", value)
	}
	return time.Unix(sec, nsec), nil
}

// timestampLayout picks the single layout Docker tries for value.
func timestampLayout(value string, inLocal bool) string {
	switch {
	case strings.Contains(value, "."):
		if inLocal {
			return layoutRFC3339NanoLocal
		}
		return time.RFC3339Nano
	case strings.Contains(value, "T"):
		colons := strings.Count(value, ":")
		// A numeric zone offset ("+01:00") brings a colon of its own.
		if !inLocal && !strings.ContainsAny(value, "zZ") && colons > 0 {
			colons--
		}
		switch {
		case colons == 0 && inLocal:
			return "2006-01-02T15"
		case colons == 0:
			return "2006-01-02T15Z07:00"
		case colons == 1 && inLocal:
			return "2006-01-02T15:04"
		case colons == 1:
			return "2006-01-02T15:04Z07:00"
		case inLocal:
			return layoutRFC3339Local
		default:
			return time.RFC3339
		}
	case inLocal:
		return layoutDateLocal
	default:
		return layoutDateWithZone
	}
}

// parseUnixSeconds parses "SECONDS[.FRACTION]" with decimal digits only.
func parseUnixSeconds(value string) (sec, nsec int64, ok bool) {
	secPart, frac, hasFrac := strings.Cut(value, ".")
	if !allDigits(secPart) || (hasFrac && !allDigits(frac)) {
		return 0, 0, false
	}
	sec, err := strconv.ParseInt(secPart, 10, 64)
	if err != nil {
		return 0, 0, false
	}
	if hasFrac {
		frac = (frac + "000000000")[:9]
		nsec, err = strconv.ParseInt(frac, 10, 64)
		if err != nil {
			return 0, 0, false
		}
	}
	return sec, nsec, true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
