// Package docs_test runs the documentation's examples: every fenced code
// block tagged "star" in docs/*.md and README.md is a scenario that must
// pass on the real engine, so the documentation cannot drift from the code.
// Blocks that are not meant to run (CLI transcripts, fragments, a scenario
// that fails on purpose) use other tags: python, console, text.
package docs_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"berth/runtime/backend"
	"berth/runtime/engine/enginetest"
	"berth/starlib/dialect"
	"berth/starlib/harness"
	"berth/starlib/runner"
)

// caseTimeout bounds each example, so that a hung one fails with its
// location instead of stalling go test for its default ten minutes.
const caseTimeout = 2 * time.Minute

// example is one ```star block.
type example struct {
	file string // the Markdown file, as given to extract
	line int    // line of the opening fence
	code string
}

// String is the block's location, file:line.
func (ex example) String() string { return fmt.Sprintf("%s:%d", ex.file, ex.line) }

// fence is an opening code fence: its indentation, its run of backticks and
// its language tag (the info string's first word).
type fence struct {
	indent int
	ticks  int
	lang   string
}

// parseFence reads a line as a backtick code fence, CommonMark style: at
// most three spaces of indentation, then three or more backticks.
func parseFence(line string) (fence, bool) {
	trimmed := strings.TrimLeft(line, " ")
	indent := len(line) - len(trimmed)
	ticks := len(trimmed) - len(strings.TrimLeft(trimmed, "`"))
	if indent > 3 || ticks < 3 {
		return fence{}, false
	}
	info := strings.TrimSpace(trimmed[ticks:])
	if strings.Contains(info, "`") {
		return fence{}, false // inline code such as ```x```, not a fence
	}
	lang, _, _ := strings.Cut(info, " ")
	return fence{indent: indent, ticks: ticks, lang: lang}, true
}

// closes reports whether line is a closing fence for f: backticks only, at
// least as many as f opened with.
func (f fence) closes(line string) bool {
	g, ok := parseFence(line)
	return ok && g.lang == "" && g.ticks >= f.ticks
}

// extract returns the ```star blocks of a Markdown text. Blocks with other
// tags are skipped whole, so a ```star line inside them is text. A block
// indented under a list item loses that indentation, as Markdown renders it.
func extract(file, text string) ([]example, error) {
	var out []example
	var open *fence
	var openLine int
	var cur *example
	for i, line := range strings.Split(text, "\n") {
		switch {
		case open == nil:
			if f, ok := parseFence(line); ok {
				open, openLine = &f, i+1
				if f.lang == "star" {
					cur = &example{file: file, line: i + 1}
				}
			}
		case open.closes(line):
			if cur != nil {
				out = append(out, *cur)
			}
			open, cur = nil, nil
		case cur != nil:
			cur.code += dedent(line, open.indent) + "\n"
		}
	}
	if open != nil {
		return out, fmt.Errorf("%s:%d: this code block is never closed", file, openLine)
	}
	return out, nil
}

// dedent removes up to n leading spaces.
func dedent(line string, n int) string {
	for i := 0; i < n && strings.HasPrefix(line, " "); i++ {
		line = line[1:]
	}
	return line
}

// documents are the Markdown files whose examples must run.
func documents(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	return append(files, filepath.Join("..", "README.md"))
}

// allExamples extracts the examples of every document.
func allExamples(t *testing.T) []example {
	t.Helper()
	var all []example
	for _, file := range documents(t) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		exs, err := extract(file, string(data))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, exs...)
	}
	return all
}

func TestExtract(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    []example
		wantErr bool
	}{
		{
			name: "star blocks only, with their lines",
			text: "# t\n```star\nrun(\"busybox\")\n```\n```python\nx = 1\n```\n```star\na = 1\nb = 2\n```\n",
			want: []example{
				{file: "f.md", line: 2, code: "run(\"busybox\")\n"},
				{file: "f.md", line: 8, code: "a = 1\nb = 2\n"},
			},
		},
		{
			name: "a star fence inside another block is text",
			text: "````text\n```star\nnot code\n```\n````\n",
		},
		{
			name: "longer fences close only with as many backticks",
			text: "````star\nx = \"```\"\n```\ny = 1\n````\n",
			want: []example{{file: "f.md", line: 1, code: "x = \"```\"\n```\ny = 1\n"}},
		},
		{
			name: "a block in a list item loses the item's indentation",
			text: "1. step\n   ```star\n   def test_x():\n       pass\n   ```\n",
			want: []example{{file: "f.md", line: 2, code: "def test_x():\n    pass\n"}},
		},
		{
			name: "inline code is not a fence",
			text: "use ```star``` blocks\n```star\nx = 1\n```\n",
			want: []example{{file: "f.md", line: 2, code: "x = 1\n"}},
		},
		{
			name: "tags are exact",
			text: "```starlark\nx = 1\n```\n```star extra words\ny = 1\n```\n",
			want: []example{{file: "f.md", line: 4, code: "y = 1\n"}},
		},
		{
			name:    "an unterminated block is an error",
			text:    "```star\nx = 1\n",
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := extract("f.md", tt.text)
			if (err != nil) != tt.wantErr {
				t.Fatalf("extract: error %v, want error: %v", err, tt.wantErr)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("extract:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestExamplesCompile needs no root: every example must parse and use only
// names that exist, so a typo shows up on any machine.
func TestExamplesCompile(t *testing.T) {
	all := allExamples(t)
	perFile := map[string]int{}
	for _, ex := range all {
		perFile[filepath.Base(ex.file)]++
	}
	for _, file := range []string{"README.md", "getting-started.md", "reference.md"} {
		if perFile[file] == 0 {
			t.Errorf("%s has no ```star example: is the extraction broken, or were its examples retagged?", file)
		}
	}
	predeclared := harness.Predeclared()
	for _, ex := range all {
		f, err := dialect.FileOptions().Parse(ex.String(), ex.code, 0)
		if err == nil {
			_, err = dialect.FileProgram(f, predeclared)
		}
		if err != nil {
			t.Errorf("example at %s does not compile: %v", ex, err)
		}
	}
}

// TestExamples runs every example on a real engine with a root of its own.
func TestExamples(t *testing.T) {
	all := allExamples(t)
	if os.Geteuid() != 0 {
		t.Skip("the examples run containers, which needs root")
	}
	// The engine's cleanup, after every example, fails the test if
	// anything was left behind: state, mounts or cgroups.
	env := enginetest.New(t)
	opts := harness.Options(backend.NewSandboxes(env.Engine))
	opts.Timeout = caseTimeout
	opts.Verbose = true // show print() output under a failure too
	dir := t.TempDir()
	for _, ex := range all {
		name := strings.ReplaceAll(fmt.Sprintf("%s_%d", filepath.Base(ex.file), ex.line), ".", "_")
		path := filepath.Join(dir, name+".star")
		// Blank lines in front, so that the line numbers of a failure's
		// call stack are the document's.
		code := strings.Repeat("\n", ex.line) + ex.code
		if err := os.WriteFile(path, []byte(code), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(ex.file)+":"+fmt.Sprint(ex.line), func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			o := opts
			o.Paths, o.Stdout = []string{path}, &out
			sum, err := runner.Test(t.Context(), o)
			if err != nil {
				t.Fatalf("example at %s: %v\n%s", ex, err, out.String())
			}
			if !sum.OK() || sum.Passed == 0 {
				t.Errorf("example at %s failed (run as %s, whose line numbers are the document's):\n%s", ex, path, out.String())
			}
		})
	}
}
