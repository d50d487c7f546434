package runner

import (
	"slices"

	"berth/starlib/assert"
	"berth/starlib/builtins"
	"berth/starlib/cmpmod"
	"berth/starlib/host"
	"berth/starlib/result"
)

// CoreDocs describes what CoreModules provides, and the two universal
// builtins the contract names (print and fail), for `berth help`, the
// reference and the REPL.
func CoreDocs() []builtins.Entry {
	return slices.Concat(starlarkDocs, assert.Docs, cmpmod.Docs, host.Docs, result.Docs, jsonDocs, timeDocs)
}

func docParam(name, def string) builtins.Param { return builtins.Param{Name: name, Default: def} }

// starlarkDocs are Starlark's own print and fail, as berth shows them.
var starlarkDocs = []builtins.Entry{
	{Name: "print", Kind: builtins.Function, Params: []builtins.Param{docParam("*args", ""), docParam("sep", `" "`)},
		Doc: "Starlark's own: writes its arguments, separated by `sep`. `berth run` shows it as it happens; " +
			"`berth test` shows it under a failed case, or under every case with `-v`."},
	{Name: "fail", Kind: builtins.Function, Params: []builtins.Param{docParam("*args", ""), docParam("sep", `" "`)},
		Doc: "Starlark's own: stops the case with the error `fail: ARGS`, its arguments separated by `sep`."},
	{Name: "skip", Kind: builtins.Function, Params: []builtins.Param{docParam("reason", "")},
		Doc: "Stops the case and reports it as skipped, with `reason` (`SKIP` under `-v`, `<skipped>` in JUnit, `# SKIP` in TAP); " +
			"at a file's top level it skips all the file's cases."},
}

// jsonDocs describe go.starlark.net's json module.
var jsonDocs = []builtins.Entry{
	{Name: "json", Kind: builtins.Module, Doc: "go.starlark.net's `json` module."},
	{Name: "json.encode", Kind: builtins.Function, Returns: "str", Params: []builtins.Param{docParam("x", "")},
		Doc: "The JSON text of `x`: None, bools, numbers, strings, lists, tuples and dicts with string keys."},
	{Name: "json.decode", Kind: builtins.Function, Params: []builtins.Param{docParam("x", ""), docParam("*", ""), {Name: "default", Optional: true}},
		Doc: "The value of the JSON text `x`: objects become dicts, arrays lists. Invalid JSON fails, or returns `default` when given."},
	{Name: "json.indent", Kind: builtins.Function, Returns: "str", Params: []builtins.Param{docParam("s", ""), docParam("*", ""), docParam("prefix", `""`), docParam("indent", `"\t"`)},
		Doc: "The JSON text `s`, indented: each line starts with `prefix`, then `indent` once per level."},
	{Name: "json.encode_indent", Kind: builtins.Function, Returns: "str", Params: []builtins.Param{docParam("x", ""), docParam("*", ""), docParam("prefix", `""`), docParam("indent", `"\t"`)},
		Doc: "`json.indent(json.encode(x), ...)`."},
}

func docDuration(name, doc string) builtins.Entry {
	return builtins.Entry{Name: "time." + name, Kind: builtins.Attribute, Returns: "duration", Doc: doc}
}

// timeDocs describe go.starlark.net's time module. Durations and times
// support arithmetic and comparison, and a time.duration is accepted
// wherever berth takes a duration.
var timeDocs = []builtins.Entry{
	{Name: "time", Kind: builtins.Module,
		Doc: "go.starlark.net's `time` module. Times and durations support arithmetic and comparison, and a " +
			"`time.duration` is accepted wherever berth takes a duration."},
	{Name: "time.now", Kind: builtins.Function, Returns: "time", Doc: "The current local time."},
	{Name: "time.parse_duration", Kind: builtins.Function, Returns: "duration", Params: []builtins.Param{docParam("d", "")},
		Doc: "The duration written `d` in Go's syntax, such as `\"1m30s\"`; positional."},
	{Name: "time.parse_time", Kind: builtins.Function, Returns: "time",
		Params: []builtins.Param{docParam("x", ""), docParam("format", `"2006-01-02T15:04:05Z07:00"`), docParam("location", `"UTC"`)},
		Doc:    "The time written `x` in Go's layout `format` (RFC 3339 by default), in the named `location`."},
	{Name: "time.from_timestamp", Kind: builtins.Function, Returns: "time", Params: []builtins.Param{docParam("sec", ""), docParam("nsec", "0")},
		Doc: "The time `sec` seconds and `nsec` nanoseconds after the Unix epoch; positional."},
	{Name: "time.time", Kind: builtins.Function, Returns: "time",
		Params: []builtins.Param{docParam("*", ""), docParam("year", "0"), docParam("month", "0"), docParam("day", "0"), docParam("hour", "0"), docParam("minute", "0"),
			docParam("second", "0"), docParam("nanosecond", "0"), docParam("location", `""`)},
		Doc: "The time of that date and clock in `location` (`\"\"` is UTC), as Go's `time.Date` normalises it."},
	{Name: "time.is_valid_timezone", Kind: builtins.Function, Returns: "bool", Params: []builtins.Param{docParam("loc", "")},
		Doc: "Whether `loc` names a time zone, such as `\"Europe/Paris\"`; positional."},
	docDuration("nanosecond", "one nanosecond"),
	docDuration("microsecond", "one microsecond"),
	docDuration("millisecond", "one millisecond"),
	docDuration("second", "one second"),
	docDuration("minute", "one minute"),
	docDuration("hour", "one hour"),
}
