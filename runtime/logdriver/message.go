package logdriver

import "time"

// Message is one log entry: a line (without its newline) or a piece of a
// long or unterminated line.
type Message struct {
	Line   []byte
	Stream string // "stdout" or "stderr"
	Time   time.Time
	// Partial is nil for a complete line. For a line split into pieces,
	// every piece has one with the same ID; the piece that ends the line
	// has Last set. A stream that ends mid-line leaves its last piece with
	// Last unset, as Docker does. Entries read back from a json-file log
	// have an empty PartialMeta when they do not end a line: the file does
	// not keep the ID and ordinal.
	Partial *PartialMeta
}

// PartialMeta ties together the pieces of a line that was split.
type PartialMeta struct {
	ID      string // random, 64 hex digits, shared by all pieces of a line
	Ordinal int    // 1 for the first piece
	Last    bool   // this piece ends the line
}

// EndsLine reports whether the message ends a line, i.e. whether the
// output had a newline after it.
func (m Message) EndsLine() bool { return m.Partial == nil || m.Partial.Last }

// Sink receives messages. The Message and its Line belong to the caller
// and are valid only during the call: a sink that keeps them must copy.
type Sink func(*Message) error

// TimestampLayout is how `docker logs --timestamps` prints times: RFC 3339
// with exactly nine fractional digits.
const TimestampLayout = "2006-01-02T15:04:05.000000000Z07:00"

// Format renders a message as `docker logs` prints it: the line, with its
// newline if it ended one, prefixed by its UTC time and a space when
// timestamps is set.
func Format(m Message, timestamps bool) string {
	return string(AppendFormat(make([]byte, 0, FormattedSize(m, timestamps)), m, timestamps))
}

// AppendFormat appends the message as Format renders it.
func AppendFormat(dst []byte, m Message, timestamps bool) []byte {
	if timestamps {
		dst = m.Time.UTC().AppendFormat(dst, TimestampLayout)
		dst = append(dst, ' ')
	}
	dst = append(dst, m.Line...)
	if m.EndsLine() {
		dst = append(dst, '\n')
	}
	return dst
}

// FormattedSize is at least the size of the message as Format renders it.
func FormattedSize(m Message, timestamps bool) int {
	n := len(m.Line) + 1
	if timestamps {
		n += len(TimestampLayout) + 8 // a year past 9999 is longer
	}
	return n
}
