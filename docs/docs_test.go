// Package docs_test runs the documentation's examples: every fenced code
// block tagged "star" in docs/*.md and README.md is a scenario that must
// pass on the real engine. Blocks that are not meant to run use other tags
// (python, console, text).
package docs_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"berth/starlib/enginetest"
)

type example struct {
	source string // file:line of the block's first line
	code   string
}

// examples extracts the ```star blocks of a Markdown file.
func examples(t *testing.T, path string) []example {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []example
	var cur *example
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		switch {
		case cur == nil && strings.TrimSpace(text) == "```star":
			cur = &example{source: fmt.Sprintf("%s:%d", path, line+1)}
		case cur != nil && strings.TrimSpace(text) == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.code += text + "\n"
		}
	}
	if cur != nil {
		t.Fatalf("%s: unterminated code block", cur.source)
	}
	return out
}

func TestExamples(t *testing.T) {
	files, _ := filepath.Glob("*.md")
	files = append(files, "../README.md")
	var all []example
	for _, f := range files {
		all = append(all, examples(t, f)...)
	}
	if len(all) < 4 {
		t.Fatalf("found %d star examples, the docs have more: is the extraction broken?", len(all))
	}
	e := enginetest.Engine(t)
	dir := t.TempDir()
	for i, ex := range all {
		path := filepath.Join(dir, fmt.Sprintf("example%02d.star", i))
		if err := os.WriteFile(path, []byte(ex.code), 0o644); err != nil {
			t.Fatal(err)
		}
		sum, report := enginetest.RunFiles(t, e, path)
		if !sum.OK() || sum.Passed == 0 {
			t.Errorf("example at %s failed:\n%s", ex.source, report)
		}
	}
}
