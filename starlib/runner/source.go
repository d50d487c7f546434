package runner

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"go.starlark.net/syntax"

	"berth/starlib/dialect"
)

// parseFile parses a scenario file or a module it loads. A NUL byte is
// refused: Starlark's scanner takes it for the end of the file, so what
// follows would silently not exist (and its cases not run).
func parseFile(path string, src []byte) (*syntax.File, error) {
	if i := bytes.IndexByte(src, 0); i >= 0 {
		lineStart := bytes.LastIndexByte(src[:i], '\n') + 1
		line := 1 + bytes.Count(src[:lineStart], []byte("\n"))
		col := 1 + utf8.RuneCount(src[lineStart:i]) // columns count runes, as Starlark's do
		return nil, fmt.Errorf("%s:%d:%d: NUL byte: a .star file must be text", path, line, col)
	}
	return dialect.FileOptions().Parse(path, src, 0)
}
