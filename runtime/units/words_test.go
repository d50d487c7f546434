package units

import (
	"bytes"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestSplitWords(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr string
		// noShell marks inputs /bin/sh reads differently on purpose: a
		// bare newline ends a command there, and a final lone backslash
		// is kept (or joins the next line) where SplitWords reports it.
		noShell bool
	}{
		{in: "", want: []string{}},
		{in: " \t ", want: []string{}},
		{in: "echo hello", want: []string{"echo", "hello"}},
		{in: "  echo   hello  ", want: []string{"echo", "hello"}},
		{in: "a\tb", want: []string{"a", "b"}},
		{in: "a\nb", want: []string{"a", "b"}, noShell: true},
		{in: `sh -c 'echo hi; exit 3'`, want: []string{"sh", "-c", "echo hi; exit 3"}},
		{in: `a"b c"'d'`, want: []string{"ab cd"}},
		{in: `""`, want: []string{""}},
		{in: `''`, want: []string{""}},
		{in: `a '' b`, want: []string{"a", "", "b"}},
		{in: `"" ""`, want: []string{"", ""}},
		{in: `'a'"b"c`, want: []string{"abc"}},
		{in: `'it''s'`, want: []string{"its"}},
		{in: `'it'\''s'`, want: []string{"it's"}},
		{in: `'a\nb'`, want: []string{`a\nb`}},
		{in: `'$HOME "x"'`, want: []string{`$HOME "x"`}},
		{in: `"a\"b"`, want: []string{`a"b`}},
		{in: `"a\\b"`, want: []string{`a\b`}},
		{in: `"\$HOME"`, want: []string{`$HOME`}},
		{in: "\"\\`x\\`\"", want: []string{"`x`"}},
		{in: `"a\nb"`, want: []string{`a\nb`}},
		{in: `"a\'b"`, want: []string{`a\'b`}},
		{in: `"it's"`, want: []string{"it's"}},
		{in: `a\ b`, want: []string{"a b"}},
		{in: `a\\b`, want: []string{`a\b`}},
		{in: `\'`, want: []string{"'"}},
		{in: `\"`, want: []string{`"`}},
		{in: `\a`, want: []string{"a"}},
		{in: "a\\\nb", want: []string{"ab"}},
		{in: "a \\\n b", want: []string{"a", "b"}},
		{in: "\"a\\\nb\"", want: []string{"ab"}},
		{in: "'a\\\nb'", want: []string{"a\\\nb"}},
		{in: "\"a\nb\"", want: []string{"a\nb"}},
		{in: `héllo "wörld"`, want: []string{"héllo", "wörld"}},
		{in: "\\\u00a0", want: []string{"\u00a0"}},
		{in: `'unterminated`, wantErr: `unterminated single quote in "'unterminated"`},
		{in: `"unterminated`, wantErr: `unterminated double quote in "\"unterminated"`},
		{in: `a 'b" c`, wantErr: `unterminated single quote in "a 'b\" c"`},
		{in: `"a\"`, wantErr: `unterminated double quote in "\"a\\\""`},
		{in: `"a\`, wantErr: `unterminated double quote`},
		{in: `a\`, wantErr: `trailing backslash in "a\\"`, noShell: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := SplitWords(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("SplitWords(%q) = %q, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
			} else {
				if err != nil {
					t.Fatalf("SplitWords(%q): %v", tt.in, err)
				}
				if got == nil || !slices.Equal(got, tt.want) {
					t.Fatalf("SplitWords(%q) = %q; want %q", tt.in, got, tt.want)
				}
			}
			if !tt.noShell {
				compareWithShell(t, tt.in, tt.want, tt.wantErr != "")
			}
		})
	}
}

// compareWithShell checks that /bin/sh splits in the same way, so the table
// above encodes real shell behaviour rather than our reading of POSIX.
func compareWithShell(t *testing.T, in string, want []string, wantErr bool) {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		return // no shell to compare with; the table still applies
	}
	out, err := exec.Command(sh, "-c", "set -- "+in+"\nprintf '%s\\0' \"$@\"").Output()
	if wantErr {
		if err == nil {
			t.Errorf("sh accepted %q, SplitWords rejects it", in)
		}
		return
	}
	if err != nil {
		t.Fatalf("sh rejected %q: %v", in, err)
	}
	shWords := []string{}
	for w := range bytes.SplitSeq(out, []byte{0}) {
		shWords = append(shWords, string(w))
	}
	shWords = shWords[:len(shWords)-1] // printf ends every word with NUL
	if len(want) == 0 {
		shWords = []string{} // with no arguments printf still prints the format once
	}
	if !slices.Equal(shWords, want) {
		t.Errorf("sh splits %q into %q; the table says %q", in, shWords, want)
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "''"},
		{"abc", "abc"},
		{"/usr/bin/env", "/usr/bin/env"},
		{"a=b,c:d@e%f+g-h.i_j", "a=b,c:d@e%f+g-h.i_j"},
		{"a b", "'a b'"},
		{"it's", `'it'\''s'`},
		{"$HOME", "'$HOME'"},
		{"*", "'*'"},
		{"~", "'~'"},
		{"#x", "'#x'"},
		{"a\nb", "'a\nb'"},
		{"é", "'é'"},
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// checkQuoteRoundTrip fails unless quoting each word and joining them with
// spaces splits back into the same words.
func checkQuoteRoundTrip(t *testing.T, words []string) {
	t.Helper()
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = Quote(w)
	}
	line := strings.Join(quoted, " ")
	got, err := SplitWords(line)
	if err != nil {
		t.Fatalf("SplitWords(%q) (quoted %q): %v", line, words, err)
	}
	if !slices.Equal(got, words) {
		t.Fatalf("SplitWords(%q) = %q; want %q", line, got, words)
	}
}

func TestQuoteRoundTripRandomWords(t *testing.T) {
	// A fixed seed keeps failures reproducible; the alphabet is biased
	// towards characters that are special to the splitter.
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "Z", "0", " ", "\t", "\n", "'", `"`, `\`, "$", "`", "*", "#", "é", "\x00", "\xff", "-", "="}
	for range 2000 {
		words := make([]string, rng.IntN(5))
		for i := range words {
			var b strings.Builder
			for range rng.IntN(8) {
				b.WriteString(alphabet[rng.IntN(len(alphabet))])
			}
			words[i] = b.String()
		}
		checkQuoteRoundTrip(t, words)
	}
}
