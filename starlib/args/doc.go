// Package args converts between Starlark values and the Go values berth's
// builtins work with.
//
// Every builtin unpacks its arguments with Unpack, starlark.UnpackArgs
// with a "did you mean" for every unknown keyword argument (the nearest
// parameter, or the one Docker spells that way: publish= is ports=).
// The Unpacker types (Duration, StringList, StringOrList, StringDict) are
// passed to it like any other parameter variable, so every builtin accepts
// the same spellings and reports bad arguments the way go.starlark.net
// does: "run: for parameter timeout: got list, want duration string or
// number". ToStarlark turns plain Go data (an inspect document) into
// Starlark lists and dicts.
package args
