package jsonfile

import (
	"unicode/utf16"
	"unicode/utf8"
)

// decoder turns log lines into entries. The lines a writer makes
// ({"log":…,"stream":…,"attrs":{…},"time":…}) are decoded by hand,
// without allocating: reading a 200 MB log through encoding/json made
// several allocations per line, garbage that let the GC's heap goal grow
// with the text being collected. Anything else (other keys, escapes in
// keys, null values, invalid JSON) goes to parseEntry, which gives the
// same result or the error.
type decoder struct {
	buf []byte // the text of the last entry
}

// decode decodes line. The entry's Line is the decoder's buffer: valid
// until the next decode.
func (d *decoder) decode(line []byte) (Entry, error) {
	if e, ok := d.fast(line); ok {
		return e, nil
	}
	return parseEntry(line)
}

// fast decodes the usual shape of an entry; ok is false when it cannot
// (not necessarily because the line is invalid).
func (d *decoder) fast(line []byte) (e Entry, ok bool) {
	p := scanner{s: line}
	d.buf = d.buf[:0]
	if p.ws(); !p.eat('{') {
		return Entry{}, false
	}
	for {
		key, ok := p.plainString()
		if p.ws(); !ok || !p.eat(':') {
			return Entry{}, false
		}
		switch p.ws(); string(key) {
		case "log":
			d.buf, ok = p.appendString(d.buf[:0], true)
		case "stream":
			e.Stream, ok = p.stream()
		case "time":
			start := p.i
			if _, ok = p.plainString(); ok {
				ok = e.Time.UnmarshalJSON(line[start:p.i]) == nil
			}
		case "attrs":
			ok = p.skipStringMap()
		default:
			ok = false
		}
		if p.ws(); !ok {
			return Entry{}, false
		}
		if p.eat('}') {
			break
		}
		if p.ws(); !p.eat(',') {
			return Entry{}, false
		}
		p.ws()
	}
	if p.ws(); p.i != len(line) {
		return Entry{}, false
	}
	text := d.buf
	ended := len(text) > 0 && text[len(text)-1] == '\n'
	if ended {
		text = text[:len(text)-1]
	}
	e.Line, e.Partial = text, !ended
	return e, true
}

// scanner reads JSON tokens from s, starting at i.
type scanner struct {
	s []byte
	i int
}

// ws skips JSON whitespace.
func (p *scanner) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// eat consumes c if it is next.
func (p *scanner) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// plainString reads a string without escapes and returns what is between
// the quotes.
func (p *scanner) plainString() ([]byte, bool) {
	if !p.eat('"') {
		return nil, false
	}
	start := p.i
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == '"':
			p.i++
			return p.s[start : p.i-1], true
		case c == '\\' || c < 0x20:
			return nil, false
		}
		p.i++
	}
	return nil, false
}

// stream reads the stream's name: the two there are, without allocating.
func (p *scanner) stream() (string, bool) {
	name, ok := p.plainString()
	switch {
	case !ok:
		return "", false
	case string(name) == "stdout":
		return "stdout", true
	case string(name) == "stderr":
		return "stderr", true
	}
	return "", false
}

// skipStringMap skips an object whose values are all strings (attrs).
func (p *scanner) skipStringMap() bool {
	if !p.eat('{') {
		return false
	}
	if p.ws(); p.eat('}') {
		return true
	}
	for {
		if !p.skipString() {
			return false
		}
		if p.ws(); !p.eat(':') {
			return false
		}
		if p.ws(); !p.skipString() {
			return false
		}
		if p.ws(); p.eat('}') {
			return true
		}
		if !p.eat(',') {
			return false
		}
		p.ws()
	}
}

// skipString skips a string, checking its escapes as JSON does.
func (p *scanner) skipString() bool {
	_, ok := p.appendString(nil, false)
	return ok
}

// appendString decodes a string as encoding/json does into a Go string:
// escapes resolved, a lone or broken surrogate and each byte of invalid
// UTF-8 replaced by U+FFFD. Without keep it only checks.
func (p *scanner) appendString(dst []byte, keep bool) ([]byte, bool) {
	if !p.eat('"') {
		return dst, false
	}
	for p.i < len(p.s) {
		// A run of plain ASCII in one append.
		start := p.i
		for p.i < len(p.s) {
			if c := p.s[p.i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
				break
			}
			p.i++
		}
		if keep {
			dst = append(dst, p.s[start:p.i]...)
		}
		if p.i == len(p.s) {
			break
		}
		switch c := p.s[p.i]; {
		case c == '"':
			p.i++
			return dst, true
		case c < 0x20:
			return dst, false
		case c == '\\':
			var ok bool
			if dst, ok = p.escape(dst, keep); !ok {
				return dst, false
			}
		default:
			r, size := utf8.DecodeRune(p.s[p.i:])
			p.i += size
			if keep {
				dst = utf8.AppendRune(dst, r) // RuneError for a bad byte
			}
		}
	}
	return dst, false
}

// escape decodes the escape at p.i (a backslash).
func (p *scanner) escape(dst []byte, keep bool) ([]byte, bool) {
	if p.i+1 >= len(p.s) {
		return dst, false
	}
	var b byte
	switch p.s[p.i+1] {
	case '"', '\\', '/':
		b = p.s[p.i+1]
	case 'b':
		b = '\b'
	case 'f':
		b = '\f'
	case 'n':
		b = '\n'
	case 'r':
		b = '\r'
	case 't':
		b = '\t'
	case 'u':
		r := hex4(p.s[p.i:])
		if r < 0 {
			return dst, false
		}
		p.i += 6
		if utf16.IsSurrogate(r) {
			if pair := utf16.DecodeRune(r, hex4(p.s[p.i:])); pair != utf8.RuneError {
				p.i += 6
				r = pair
			} else {
				r = utf8.RuneError
			}
		}
		if keep {
			dst = utf8.AppendRune(dst, r)
		}
		return dst, true
	default:
		return dst, false
	}
	p.i += 2
	if keep {
		dst = append(dst, b)
	}
	return dst, true
}

// hex4 reads `\uXXXX` at the start of s, or returns -1.
func hex4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}
