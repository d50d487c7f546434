package repl

import (
	"slices"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"berth/starlib/builtins"
)

// Candidate is one completion: the text that replaces the word being
// typed, and what it is (a signature or the first line of its doc).
type Candidate struct {
	Value string
	Doc   string
}

// Completer completes the word before the cursor: globals, module
// members, attributes of the value before the dot, keyword arguments of
// the callable whose "(" is open, and the REPL's commands. It never calls
// a function: the value before a dot is found by looking names up, and
// through modules only.
type Completer struct {
	Registry *builtins.Registry
	Globals  func() starlark.StringDict
}

// commands are the REPL's own, completed after ":".
var commands = []Candidate{
	{":help", ":help [NAME]  the scenario language, or NAME's signature and doc"},
	{":ls", ":ls  the session's containers, networks and volumes"},
	{":save", ":save FILE.star  write the statements that ran without error as a scenario"},
	{":quit", ":quit  leave (as Ctrl-D does), removing what the session made"},
}

// Complete returns the word the candidates replace (the text before the
// cursor that they extend) and the candidates, sorted.
func (c *Completer) Complete(text string) (word string, cands []Candidate) {
	if trimmed := strings.TrimLeft(text, " \t"); strings.HasPrefix(trimmed, ":") && !strings.Contains(trimmed, "\n") {
		return c.completeCommand(trimmed)
	}
	open, ok := scan(text)
	if !ok {
		return "", nil // inside a string or a comment
	}
	chain, word, ok := trailingChain(text)
	if !ok {
		return "", nil
	}
	if chain == "" {
		cands = c.globalNames(word)
		if kw := c.keywords(text, len(text)-len(word), open); kw != nil {
			cands = append(filterPrefix(kw, word), cands...)
		}
		return word, cands
	}
	return word, filterPrefix(c.attributes(chain), word)
}

func (c *Completer) completeCommand(line string) (string, []Candidate) {
	name, arg, hasArg := strings.Cut(line, " ")
	if !hasArg {
		return name, filterPrefix(commands, name)
	}
	if name != ":help" {
		return "", nil
	}
	arg = strings.TrimLeft(arg, " ")
	var cands []Candidate
	for _, n := range c.Registry.Complete(arg) {
		cands = append(cands, Candidate{n, c.doc(n)})
	}
	return arg, cands
}

// globalNames are the globals (the predeclared names and the session's)
// and Starlark's universe that start with word.
func (c *Completer) globalNames(word string) []Candidate {
	seen := map[string]bool{}
	var cands []Candidate
	add := func(names []string) {
		for _, n := range names {
			if strings.HasPrefix(n, word) && !seen[n] && !strings.HasPrefix(n, "_") {
				seen[n] = true
				cands = append(cands, Candidate{n, c.doc(n)})
			}
		}
	}
	add(c.Globals().Keys())
	add(starlark.Universe.Keys())
	slices.SortFunc(cands, func(a, b Candidate) int { return strings.Compare(a.Value, b.Value) })
	return cands
}

// attributes are the names after "chain.": a module's members, a value's
// attributes and methods.
func (c *Completer) attributes(chain string) []Candidate {
	v, regName := c.lookup(chain)
	if v == nil {
		return nil
	}
	ha, ok := v.(starlark.HasAttrs)
	if !ok {
		return nil
	}
	var cands []Candidate
	for _, n := range ha.AttrNames() {
		cands = append(cands, Candidate{n, c.doc(regName + "." + n)})
	}
	return cands
}

// lookup finds the value a dotted chain of names denotes without running
// anything but map lookups: the first name among the globals, the others
// as members of a module. It also returns the chain's name in the
// registry (a type's name for a value such as a container).
func (c *Completer) lookup(chain string) (starlark.Value, string) {
	names := strings.Split(chain, ".")
	v, ok := c.Globals()[names[0]]
	if !ok {
		v, ok = starlark.Universe[names[0]]
	}
	if !ok {
		return nil, ""
	}
	regName := names[0]
	for _, n := range names[1:] {
		m, ok := v.(*starlarkstruct.Module)
		if !ok {
			return nil, "" // reading another value's attribute might run code
		}
		v, ok = m.Members[n]
		if !ok {
			return nil, ""
		}
		regName += "." + n
	}
	if _, isModule := v.(*starlarkstruct.Module); !isModule {
		if t := c.typeName(v.Type()); t != "" {
			regName = t // a container's attributes are Container's
		}
	}
	return v, regName
}

// typeName is the registry's name of a value type ("container" is
// Container), or "".
func (c *Completer) typeName(t string) string {
	for _, e := range c.Registry.Types() {
		if strings.EqualFold(e.Name, t) {
			return e.Name
		}
	}
	return ""
}

// keywords are "name=" for each keyword parameter of the callable whose
// "(" is the innermost open bracket, when the word starts an argument
// (just after "(" or ","); nil otherwise.
func (c *Completer) keywords(text string, wordStart int, open []int) []Candidate {
	if len(open) == 0 || text[open[len(open)-1]] != '(' {
		return nil
	}
	paren := open[len(open)-1]
	before := strings.TrimRight(text[:wordStart], " \t\n")
	if !strings.HasSuffix(before, "(") && !strings.HasSuffix(before, ",") {
		return nil
	}
	callee, last, ok := trailingChain(text[:paren])
	if !ok || last == "" {
		return nil
	}
	if callee != "" {
		callee += "."
	}
	callee += last
	var names []string
	if fn, ok := c.calleeValue(callee).(*starlark.Function); ok {
		// *args and **kwargs are last: no keyword names them.
		named := fn.NumParams() - b2i(fn.HasVarargs()) - b2i(fn.HasKwargs())
		for i := range named {
			n, _ := fn.Param(i)
			names = append(names, n)
		}
	} else if params, ok := c.Registry.Params(c.registryName(callee)); ok {
		for _, p := range params {
			if p.Keyword() {
				names = append(names, p.Name)
			}
		}
	}
	var cands []Candidate
	for _, n := range names {
		cands = append(cands, Candidate{n + "=", c.doc(c.registryName(callee))})
	}
	return cands
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// calleeValue is the value of a global function's name, or nil: only a
// user's def has parameters the registry does not know.
func (c *Completer) calleeValue(callee string) starlark.Value {
	if strings.Contains(callee, ".") {
		return nil
	}
	return c.Globals()[callee]
}

// registryName is the registry's name of a callee: "run",
// "network.create", or "Container.exec" for "c.exec" when c is a
// container.
func (c *Completer) registryName(callee string) string {
	i := strings.LastIndexByte(callee, '.')
	if i < 0 {
		return callee
	}
	_, parent := c.lookup(callee[:i])
	if parent == "" {
		return callee
	}
	return parent + callee[i:]
}

// doc is the one-line description of a registry name, or "".
func (c *Completer) doc(name string) string {
	e, ok := c.Registry.Lookup(name)
	if !ok {
		return ""
	}
	if e.Callable() {
		return e.Signature(e.Name)
	}
	first, _, _ := strings.Cut(strings.TrimSpace(e.Doc), "\n")
	first, _, _ = strings.Cut(first, ". ")
	return first
}

func filterPrefix(cands []Candidate, prefix string) []Candidate {
	var out []Candidate
	for _, cd := range cands {
		if strings.HasPrefix(cd.Value, prefix) {
			out = append(out, cd)
		}
	}
	return out
}

// trailingChain splits the end of text into a dotted chain of names and
// the word being typed: "x = network.cr" is ("network", "cr"), "c." is
// ("c", ""), "ru" is ("", "ru"). ok is false when the end is not names
// and dots (a number, "a..b", a call's result such as "f().").
func trailingChain(text string) (chain, word string, ok bool) {
	i := len(text)
	for i > 0 && (isNameByte(text[i-1]) || text[i-1] == '.') {
		i--
	}
	tail := text[i:]
	if i > 0 && (text[i-1] == ')' || text[i-1] == ']' || text[i-1] == '"' || text[i-1] == '\'') {
		return "", "", false
	}
	parts := strings.Split(tail, ".")
	for j, p := range parts {
		if j < len(parts)-1 && p == "" {
			return "", "", false
		}
		if p != "" && p[0] >= '0' && p[0] <= '9' {
			return "", "", false
		}
	}
	word = parts[len(parts)-1]
	return strings.Join(parts[:len(parts)-1], "."), word, true
}

func isNameByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// scan walks Starlark text and returns the positions of the brackets
// still open at its end; ok is false when the end is inside a string or a
// comment, where nothing is completed.
func scan(text string) (open []int, ok bool) {
	for i := 0; i < len(text); i++ {
		switch ch := text[i]; ch {
		case '#':
			nl := strings.IndexByte(text[i:], '\n')
			if nl < 0 {
				return open, false
			}
			i += nl
		case '"', '\'':
			quote := text[i : i+1]
			if strings.HasPrefix(text[i:], strings.Repeat(quote, 3)) {
				quote = strings.Repeat(quote, 3)
			}
			end := closingQuote(text, i+len(quote), quote)
			if end < 0 {
				return open, false
			}
			i = end + len(quote) - 1
		case '(', '[', '{':
			open = append(open, i)
		case ')', ']', '}':
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		}
	}
	return open, true
}

// closingQuote returns where quote closes the string whose body starts at
// i, or -1.
func closingQuote(text string, i int, quote string) int {
	for ; i < len(text); i++ {
		switch {
		case text[i] == '\\':
			i++
		case len(quote) == 1 && text[i] == '\n':
			return -1
		case strings.HasPrefix(text[i:], quote):
			return i
		}
	}
	return -1
}
