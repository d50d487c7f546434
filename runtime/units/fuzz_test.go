package units

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The seed corpora live in testdata/fuzz/<FuzzName>/. Run a fuzzer with
// go test -run='^$' -fuzz=FuzzSplitWords -fuzztime=20s ./runtime/units

func FuzzSplitWords(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		words, err := SplitWords(s)
		if err != nil {
			if !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Fatalf("error %q does not name the input %q", err, s)
			}
		} else {
			if words == nil {
				t.Fatalf("SplitWords(%q) returned nil without an error", s)
			}
			// Whatever SplitWords produced must survive quoting.
			checkQuoteRoundTrip(t, words)
		}
		// The input read as a NUL-separated word list must round-trip too;
		// argv words cannot contain NUL, so nothing is lost.
		checkQuoteRoundTrip(t, strings.Split(s, "\x00"))
	})
}

func FuzzParseDuration(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string, n int64) {
		d, err := ParseDuration(s)
		switch {
		case err != nil && !strings.Contains(err.Error(), strconv.Quote(s)):
			t.Fatalf("error %q does not name the input %q", err, s)
		case err == nil && d < 0:
			t.Fatalf("ParseDuration(%q) = %v, a negative duration", s, d)
		}
		if n < 0 {
			return
		}
		want := time.Duration(n)
		for _, form := range []string{want.String(), fmt.Sprintf("%d.%09d", n/1e9, n%1e9)} {
			if got, err := ParseDuration(form); err != nil || got != want {
				t.Fatalf("ParseDuration(%q) = %v, %v; want %v", form, got, err, want)
			}
		}
	})
}

func FuzzParseSize(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string, n int64) {
		size, err := ParseSize(s)
		switch {
		case err != nil && !strings.Contains(err.Error(), "'"+s+"'"):
			t.Fatalf("error %q does not name the input %q", err, s)
		case err == nil && size < 0:
			t.Fatalf("ParseSize(%q) = %d, a negative size", s, size)
		}
		// Sizes go through float64, so only integers up to 2^53 are exact.
		if n < 0 || n > 1<<53 {
			return
		}
		if got, err := ParseSize(strconv.FormatInt(n, 10)); err != nil || got != n {
			t.Fatalf("ParseSize(%d) = %d, %v", n, got, err)
		}
		if n <= 1<<43 {
			if got, err := ParseSize(strconv.FormatInt(n, 10) + "k"); err != nil || got != n*1024 {
				t.Fatalf("ParseSize(%dk) = %d, %v; want %d", n, got, err, n*1024)
			}
		}
	})
}

func FuzzParseTimestamp(f *testing.F) {
	cet := time.FixedZone("CET", 3600)
	now := time.Date(2024, 1, 2, 3, 4, 5, 600_000_000, cet)
	// 9999-12-31T22:59:59Z: the last second whose UTC and CET forms both
	// have the four-digit year RFC 3339 allows.
	const maxSec = 253402297199
	f.Fuzz(func(t *testing.T, s string, sec int64, nsec uint32) {
		if _, err := ParseTimestamp(s, now); err != nil && err.Error() == "" {
			t.Fatalf("ParseTimestamp(%q) failed with an empty error", s)
		}
		if sec < 0 || sec > maxSec {
			return
		}
		want := time.Unix(sec, int64(nsec%1e9))
		forms := []string{
			fmt.Sprintf("%d.%09d", sec, want.Nanosecond()),
			want.UTC().Format(time.RFC3339Nano),
			want.In(cet).Format(time.RFC3339Nano),
			want.In(cet).Format(layoutRFC3339NanoLocal),
		}
		for _, form := range forms {
			if got, err := ParseTimestamp(form, now); err != nil || !got.Equal(want) {
				t.Fatalf("ParseTimestamp(%q) = %v, %v; want %v", form, got, err, want)
			}
		}
	})
}
