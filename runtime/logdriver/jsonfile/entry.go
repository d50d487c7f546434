package jsonfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Entry is one line of a json-file log.
type Entry struct {
	// Line is the logged text without its newline.
	Line []byte
	// Partial is true when the text does not end a line: the stored "log"
	// value then has no trailing "\n" (a piece of a long line, or what a
	// stream wrote last without a newline).
	Partial bool
	Stream  string // "stdout" or "stderr"
	Time    time.Time
}

// appendEntry appends e as Docker's json-file writer would: keys in the
// order log, stream, attrs, time; empty log and stream omitted; the time
// in UTC, RFC 3339 with trailing zeros of the fraction trimmed; attrs is
// pre-encoded JSON (nil for none). The line ends in '\n'.
func appendEntry(dst []byte, e Entry, attrs []byte) ([]byte, error) {
	return appendEntryCached(dst, e, attrs, nil)
}

// appendEntryCached is appendEntry with the time formatted through times
// (nil: no cache).
func appendEntryCached(dst []byte, e Entry, attrs []byte, times *timeCache) ([]byte, error) {
	// Docker refuses years that RFC 3339 cannot express.
	if y := e.Time.Year(); y < 0 || y >= 10000 {
		return dst, fmt.Errorf("log time %v: year outside of range [0,9999]", e.Time)
	}
	dst = append(dst, '{')
	first := true
	if len(e.Line) > 0 || !e.Partial {
		first = false
		dst = append(dst, `"log":"`...)
		dst = appendEscaped(dst, e.Line)
		if !e.Partial {
			dst = append(dst, `\n`...)
		}
		dst = append(dst, '"')
	}
	if e.Stream != "" {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, `"stream":"`...)
		dst = appendEscaped(dst, []byte(e.Stream))
		dst = append(dst, '"')
	}
	if len(attrs) > 0 {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, `"attrs":`...)
		dst = append(dst, attrs...)
	}
	if !first {
		dst = append(dst, ',')
	}
	dst = append(dst, `"time":"`...)
	dst = times.appendRFC3339Nano(dst, e.Time)
	dst = append(dst, "\"}\n"...)
	return dst, nil
}

// timeCache formats times as time.RFC3339Nano in UTC, keeping the date and
// time of day of the last second it saw: lines logged within one second
// (most of them, when a container logs fast) only need their fraction
// formatted. Formatting the whole time was a tenth of json-file logging.
type timeCache struct {
	sec    int64
	prefix []byte // "2006-01-02T15:04:05" of sec; empty until the first time
}

func (c *timeCache) appendRFC3339Nano(dst []byte, t time.Time) []byte {
	t = t.UTC()
	if c == nil {
		return t.AppendFormat(dst, time.RFC3339Nano)
	}
	if sec := t.Unix(); len(c.prefix) == 0 || sec != c.sec {
		c.prefix = t.AppendFormat(c.prefix[:0], "2006-01-02T15:04:05")
		c.sec = sec
	}
	dst = append(dst, c.prefix...)
	if ns := t.Nanosecond(); ns != 0 {
		// ".123456789" with the trailing zeros trimmed, as RFC3339Nano.
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i >= 1; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := len(frac)
		for frac[n-1] == '0' {
			n--
		}
		dst = append(dst, frac[:n]...)
	}
	return append(dst, 'Z')
}

// appendEscaped appends s as the inside of a JSON string, escaping exactly
// what Docker's jsonlog marshaller escapes: '"', '\\', "\n" and "\r" with a
// backslash; other control characters and '<', '>', '&' as \u00XX; invalid
// UTF-8 as \ufffd; U+2028 and U+2029 as \u2028 and \u2029. (Unlike
// encoding/json, a tab becomes \u0009, not \t.)
func appendEscaped(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if plain[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRune(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(dst, s[start:]...)
}

// plain marks the ASCII bytes appendEscaped copies as they are: one table
// lookup per byte instead of six comparisons.
var plain = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '\\' && b != '"' && b != '<' && b != '>' && b != '&'
	}
	return t
}()

// storedEntry is the on-disk shape. Log is a string because encoding/json
// would read a []byte as base64.
type storedEntry struct {
	Log    string    `json:"log"`
	Stream string    `json:"stream"`
	Time   time.Time `json:"time"`
}

// parseEntry decodes one line of a log file (without its newline).
func parseEntry(line []byte) (Entry, error) {
	var s storedEntry
	if err := json.Unmarshal(line, &s); err != nil {
		return Entry{}, err
	}
	text, ended := strings.CutSuffix(s.Log, "\n")
	return Entry{Line: []byte(text), Partial: !ended, Stream: s.Stream, Time: s.Time}, nil
}

// isBlank reports whether a line holds only JSON whitespace; Docker's
// decoder skips such lines, and so do we.
func isBlank(line []byte) bool {
	return len(bytes.Trim(line, " \t\r\n")) == 0
}
