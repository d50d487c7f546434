package cmpmod

import "berth/starlib/builtins"

// Docs describes the cmp module.
var Docs = []builtins.Entry{
	{Name: "cmp", Kind: builtins.Module, Doc: "Comparison of values."},
	{Name: "cmp.diff", Kind: builtins.Function, Returns: "str",
		Params: []builtins.Param{{Name: "a"}, {Name: "b"}},
		Doc: "`\"\"` when `a == b`, else a readable diff, `-` for `a`'s side and `+` for `b`'s. Values are compared as " +
			"plain data: lists and tuples as sequences, dicts by key, strings line by line, values with attributes " +
			"(an `exec_result`, a container) attribute by attribute. The layout is go-cmp's and may change between " +
			"versions: compare the result with `\"\"`."},
}
