package units

import (
	"fmt"
	"strings"
)

// SplitWords splits a command string into words the way a POSIX shell
// tokenises a simple command, without running a shell:
//
//   - spaces, tabs and newlines separate words;
//   - single quotes keep everything up to the next single quote literally;
//   - double quotes keep their contents, except that a backslash escapes
//     \" \\ \$ and \` (any other backslash stays as it is);
//   - outside quotes a backslash escapes the next character;
//   - backslash-newline is a line continuation and disappears;
//   - adjacent quoted and unquoted parts join into one word, and an empty
//     pair of quotes makes an empty word.
//
// There is no variable expansion, globbing, comment or operator handling:
// "$HOME", "*", "#" and ";" are ordinary characters. A blank string yields
// an empty slice.
func SplitWords(s string) ([]string, error) {
	words := []string{}
	var word strings.Builder
	// inWord is separate from word.Len() so that "" and '' produce a word.
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ' ', '\t', '\n':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		case '\\':
			if i+1 == len(s) {
				return nil, fmt.Errorf("trailing backslash in %q: escape a character or quote it", s)
			}
			i++
			if s[i] == '\n' {
				continue // line continuation
			}
			word.WriteByte(s[i])
			inWord = true
		case '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unterminated single quote in %q", s)
			}
			word.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case '"':
			end, ok := readDoubleQuoted(s, i+1, &word)
			if !ok {
				return nil, fmt.Errorf("unterminated double quote in %q", s)
			}
			i = end
			inWord = true
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	return words, nil
}

// readDoubleQuoted copies the body of a double-quoted part starting at
// s[start] into word and returns the index of the closing quote.
func readDoubleQuoted(s string, start int, word *strings.Builder) (int, bool) {
	for i := start; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			return i, true
		case c == '\\' && i+1 < len(s):
			switch s[i+1] {
			case '"', '\\', '$', '`':
				word.WriteByte(s[i+1])
				i++
				continue
			case '\n':
				i++ // line continuation
				continue
			}
		}
		word.WriteByte(c)
	}
	return len(s), false
}

// Quote returns s quoted so that a POSIX shell, and SplitWords, read it back
// as exactly one word equal to s. Words made only of characters that are
// never special to a shell are returned unchanged; everything else is
// single-quoted, closing and reopening the quotes around an escaped quote:
//
//	it's  ->  'it'\''s'
func Quote(s string) string {
	if s == "" {
		return "''"
	}
	if isShellSafe(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func isShellSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("_@%+=:,./-", c) >= 0:
		default:
			return false
		}
	}
	return true
}
