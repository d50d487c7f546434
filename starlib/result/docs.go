package result

import "berth/starlib/builtins"

// Docs describes the exec_result type.
var Docs = []builtins.Entry{
	{Name: "exec_result", Kind: builtins.Type,
		Doc: "What `Container.exec` and `host.exec` return: an immutable value. Two results are `==` when all four " +
			"attributes are equal. It is always true as a condition: test `exit_code`."},
	{Name: "exec_result.exit_code", Kind: builtins.Attribute, Returns: "int", Doc: "the exit status of the process"},
	{Name: "exec_result.stdout", Kind: builtins.Attribute, Returns: "str", Doc: "what the process wrote to stdout"},
	{Name: "exec_result.stderr", Kind: builtins.Attribute, Returns: "str", Doc: "what the process wrote to stderr"},
	{Name: "exec_result.output", Kind: builtins.Attribute, Returns: "str", Doc: "both streams together, in the order the writes arrived"},
}
