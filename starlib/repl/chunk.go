package repl

import (
	"errors"
	"strings"

	"go.starlark.net/syntax"

	"berth/starlib/runner"
)

// errMore is what the line source of Complete's parse answers when the
// parser asks for a line past the text: the chunk is not finished.
var errMore = errors.New("more input needed")

// Complete reports whether text, the lines typed so far (joined by
// "\n", without the last newline), is a chunk to run: false while a
// bracket, a triple-quoted string or a block is open. As in Python's
// interactive mode, a block (def, if, for, while) ends with a blank line
// or a line back at column 0. A command (":ls") is one line.
func Complete(text string) bool {
	if strings.HasPrefix(strings.TrimSpace(text), ":") && !strings.Contains(text, "\n") {
		return true
	}
	lines := strings.Split(text, "\n")
	more := false
	i := 0
	next := func() ([]byte, error) {
		if i == len(lines) {
			more = true
			return nil, errMore
		}
		i++
		return []byte(lines[i-1] + "\n"), nil
	}
	_, err := runner.REPLOptions().ParseCompoundStmt("", next)
	if more {
		return false
	}
	// A block followed by the first line of another: the parser stopped
	// at the outdent, but the second block may go on.
	if last := lines[len(lines)-1]; len(lines) > 1 && indented(last) && opensBlock(lines[0]) {
		return false
	}
	if err == nil {
		// The whole text must parse too, unless it fails before its end
		// (a syntax error to report now).
		if _, err := runner.REPLOptions().Parse("", text+"\n", 0); err != nil && atEnd(err, lines) {
			return false
		}
	}
	return true
}

// opensBlock reports whether line is a block's header ("def f():").
func opensBlock(line string) bool {
	return !indented(line) && strings.HasSuffix(strings.TrimSpace(line), ":")
}

func indented(line string) bool {
	return strings.TrimSpace(line) != "" && (line[0] == ' ' || line[0] == '\t')
}

// atEnd reports whether a syntax error is on the last non-blank line or
// past it: the parser ran out of input rather than met a wrong token.
func atEnd(err error, lines []string) bool {
	var se syntax.Error
	if !errors.As(err, &se) {
		return false
	}
	last := len(lines)
	for last > 1 && strings.TrimSpace(lines[last-1]) == "" {
		last--
	}
	return int(se.Pos.Line) > last || (int(se.Pos.Line) == last && strings.Contains(se.Msg, "end of file"))
}
