package assert

import "berth/starlib/builtins"

func docFunc(name, returns, doc string, params ...builtins.Param) builtins.Entry {
	return builtins.Entry{Name: "assert." + name, Kind: builtins.Function, Params: params, Returns: returns, Doc: doc}
}

func docParam(name, def string) builtins.Param { return builtins.Param{Name: name, Default: def} }

// Docs describes the assert module and its other name, expect.
var Docs = []builtins.Entry{
	{Name: "assert", Kind: builtins.Module,
		Doc: "Assertions. Every failure is an error that stops the case; `msg`, when given, is put in front of the message."},
	{Name: "expect", Kind: builtins.Module, Alias: "assert",
		Doc: "The `assert` module, for editors and linters that treat `assert` as a keyword."},
	docFunc("eq", "", "Fails unless `a == b`. Short scalars are shown as `got A, want B`; anything else as a diff `-got +want`.",
		docParam("a", ""), docParam("b", ""), docParam("msg", "None")),
	docFunc("ne", "", "Fails unless `a != b`.", docParam("a", ""), docParam("b", ""), docParam("msg", "None")),
	docFunc("true", "", "Fails unless `bool(x)` is true.", docParam("x", ""), docParam("msg", "None")),
	docFunc("false", "", "Fails unless `bool(x)` is false.", docParam("x", ""), docParam("msg", "None")),
	docFunc("contains", "", "Fails unless `needle in haystack`: a substring of a string, an element of a list, tuple or set, a key of a dict.",
		docParam("haystack", ""), docParam("needle", ""), docParam("msg", "None")),
	docFunc("matches", "list", "Fails unless the Go regular expression `pattern` matches somewhere in `s` (a search: anchor "+
		"with `^`/`$`). Returns the match and its groups, a list of strings.",
		docParam("pattern", ""), docParam("s", ""), docParam("msg", "None")),
	docFunc("fails", "str", "Fails unless calling `fn()` fails with an error whose message (without call stack) matches "+
		"`pattern`. Returns the message.",
		docParam("fn", ""), docParam("pattern", "")),
	docFunc("eventually", "any", "Fails unless `fn()` returns a true value within `timeout`, called every `interval`; errors from "+
		"`fn` are retried. Returns that value; the failure shows the last result or error.",
		docParam("fn", ""), docParam("timeout", `"5s"`), docParam("interval", `"100ms"`)),
	docFunc("golden", "", "Fails unless `value` (a string, or `str(value)`) equals the file `testdata/<path>` beside the "+
		"calling `.star` file. `berth test -update` (or `berth run -update`) writes the file instead.",
		docParam("value", ""), docParam("path", "")),
}
