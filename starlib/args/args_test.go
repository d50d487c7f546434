package args

import (
	"reflect"
	"strings"
	"testing"
	"time"

	starlarktime "go.starlark.net/lib/time"
	"go.starlark.net/starlark"

	"berth/starlib/dialect"
)

// eval evaluates a Starlark expression, with the time module available.
func eval(t *testing.T, expr string) starlark.Value {
	t.Helper()
	v, err := starlark.EvalOptions(dialect.FileOptions(), &starlark.Thread{}, "test", expr, starlark.StringDict{"time": starlarktime.Module})
	if err != nil {
		t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}

// unpack runs UnpackArgs the way a builtin named "run" would, so that the
// error text is the one a script sees. (go.starlark.net quotes the parameter
// name when the argument was given by keyword.)
func unpack(t *testing.T, expr, param string, ptr any) error {
	t.Helper()
	return starlark.UnpackArgs("run", starlark.Tuple{eval(t, expr)}, nil, param+"?", ptr)
}

func TestDuration(t *testing.T) {
	tests := []struct {
		expr    string
		want    time.Duration
		wantErr string
	}{
		{expr: `"100ms"`, want: 100 * time.Millisecond},
		{expr: `"2s"`, want: 2 * time.Second},
		{expr: `"1.5"`, want: 1500 * time.Millisecond},
		{expr: `3`, want: 3 * time.Second},
		{expr: `0.25`, want: 250 * time.Millisecond},
		{expr: `0`, want: 0},
		{expr: `time.second * 4`, want: 4 * time.Second},
		{expr: `[1]`, wantErr: "run: for parameter timeout: got list, want duration string or number"},
		{expr: `None`, wantErr: "run: for parameter timeout: got NoneType, want duration string or number"},
		{expr: `"soon"`, wantErr: `run: for parameter timeout: invalid duration "soon": want a duration like "100ms", "2s", "1m" or a number of seconds`},
		{expr: `-1`, wantErr: "run: for parameter timeout: got -1, want a duration of 0 or more"},
		{expr: `-0.5`, wantErr: "run: for parameter timeout: got -0.5, want a duration of 0 or more"},
		{expr: `10000000000000`, wantErr: "run: for parameter timeout: got 10000000000000 seconds, want at most 9223372036"},
		{expr: `float("inf")`, wantErr: "run: for parameter timeout: got +inf seconds, want a finite number of at most 9223372036"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			d := Duration(time.Hour) // a preset default must survive an error
			err := unpack(t, tt.expr, "timeout", &d)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if d.Std() != time.Hour {
					t.Errorf("failed unpack changed the default to %v", d.Std())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Std() != tt.want {
				t.Errorf("got %v, want %v", d.Std(), tt.want)
			}
		})
	}
}

func TestStringList(t *testing.T) {
	tests := []struct {
		expr    string
		want    []string
		wantErr string
	}{
		{expr: `["a", "b c"]`, want: []string{"a", "b c"}},
		{expr: `("x",)`, want: []string{"x"}},
		{expr: `[]`, want: []string{}},
		{expr: `"a b"`, wantErr: "run: for parameter aliases: got string, want list of strings"},
		{expr: `["a", 1]`, wantErr: "run: for parameter aliases: got list with int at index 1, want list of strings"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			var l StringList
			err := unpack(t, tt.expr, "aliases", &l)
			checkResult(t, err, tt.wantErr, []string(l), tt.want)
		})
	}
}

func TestStringOrList(t *testing.T) {
	tests := []struct {
		expr    string
		want    []string
		wantErr string
	}{
		{expr: `"sh -c 'echo hi there'"`, want: []string{"sh", "-c", "echo hi there"}},
		{expr: `["echo", "a b"]`, want: []string{"echo", "a b"}},
		{expr: `("true",)`, want: []string{"true"}},
		{expr: `""`, want: []string{}},
		{expr: `{"a": "b"}`, wantErr: "run: for parameter cmd: got dict, want string or list of strings"},
		{expr: `["echo", None]`, wantErr: "run: for parameter cmd: got list with NoneType at index 1, want list of strings"},
		{expr: `"echo 'unterminated"`, wantErr: "run: for parameter cmd: "},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			var l StringOrList
			err := unpack(t, tt.expr, "cmd", &l)
			checkResult(t, err, tt.wantErr, []string(l), tt.want)
		})
	}
}

func TestStringDict(t *testing.T) {
	tests := []struct {
		expr    string
		want    StringDict
		wantErr string
	}{
		{expr: `{"B": "2", "A": "1"}`, want: StringDict{{"B", "2"}, {"A", "1"}}},
		{expr: `["A=1", "B=x=y", "C="]`, want: StringDict{{"A", "1"}, {"B", "x=y"}, {"C", ""}}},
		{expr: `["A=1", "B=2", "A=3"]`, want: StringDict{{"A", "3"}, {"B", "2"}}},
		{expr: `{"PORT": 80}`, wantErr: `run: for parameter env: got dict with int value for key "PORT", want dict of strings`},
		{expr: `{1: "a"}`, wantErr: `run: for parameter env: got dict with int key 1, want dict of strings`},
		{expr: `["A"]`, wantErr: `run: for parameter env: got "A" at index 0, want "KEY=VALUE"`},
		{expr: `["=x"]`, wantErr: `run: for parameter env: got "=x" at index 0, want "KEY=VALUE"`},
		{expr: `"A=1"`, wantErr: `run: for parameter env: got string, want dict of strings or list of "KEY=VALUE"`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			var d StringDict
			err := unpack(t, tt.expr, "env", &d)
			checkResult(t, err, tt.wantErr, d, tt.want)
		})
	}

	d := StringDict{{"B", "2"}, {"A", "1"}}
	if got, err := d.Env(); err != nil || !reflect.DeepEqual(got, []string{"B=2", "A=1"}) {
		t.Errorf("Env() = %q, %v, want [B=2 A=1]", got, err)
	}
	// A dict's key is the whole name: one with '=' would silently set
	// another variable.
	for key, want := range map[string]string{
		"A=B": `invalid environment variable name "A=B": it must not contain '='`,
		"A B": `invalid environment variable name "A B": it must not contain spaces`,
		"":    "the variable name is empty",
	} {
		if _, err := (StringDict{{key, "c"}}).Env(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Env() of key %q = %v, want %q", key, err, want)
		}
	}
	if got, want := d.Map(), map[string]string{"A": "1", "B": "2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Map() = %v, want %v", got, want)
	}
}

// checkResult checks an unpack outcome; a wantErr is a prefix of the error.
func checkResult[T any](t *testing.T, err error, wantErr string, got, want T) {
	t.Helper()
	if wantErr != "" {
		if err == nil || len(err.Error()) < len(wantErr) || err.Error()[:len(wantErr)] != wantErr {
			t.Fatalf("err = %v, want prefix %q", err, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

func TestToStarlark(t *testing.T) {
	type ports []string
	n := 7
	var nilPtr *int
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, "None"},
		{"nil pointer", nilPtr, "None"},
		{"pointer", &n, "7"},
		{"bool", true, "True"},
		{"int", 3, "3"},
		{"int64", int64(-1 << 40), "-1099511627776"},
		{"uint64", uint64(1 << 63), "9223372036854775808"},
		{"float", 1.5, "1.5"},
		{"string", "a\"b", `"a\"b"`},
		{"named slice", ports{"80/tcp"}, `["80/tcp"]`},
		{"nil slice", []string(nil), "[]"},
		{"starlark value", starlark.Tuple{starlark.MakeInt(1)}, "(1,)"},
		{
			"nested, keys sorted",
			map[string]any{
				"Name":  "/db",
				"State": map[string]any{"Running": true, "Pid": 42, "ExitCode": int64(0)},
				"Env":   []any{"A=1", nil},
				"Cpus":  float64(0.5),
			},
			`{"Cpus": 0.5, "Env": ["A=1", None], "Name": "/db", "State": {"ExitCode": 0, "Pid": 42, "Running": True}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := ToStarlark(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if v.String() != tt.want {
				t.Errorf("ToStarlark(%#v) = %s, want %s", tt.in, v, tt.want)
			}
		})
	}
}

func TestToStarlarkErrors(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"struct", struct{ A int }{1}, "convert value to Starlark: unsupported Go type struct { A int }"},
		{"nested chan", map[string]any{"State": map[string]any{"C": make(chan int)}}, `convert value at ["State"]["C"] to Starlark: unsupported Go type chan int`},
		{"int keys", map[int]string{1: "a"}, "convert value to Starlark: unsupported Go type map[int]string (map keys must be strings)"},
		{"in a list", []any{1, func() {}}, "convert value at [1] to Starlark: unsupported Go type func()"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ToStarlark(tt.in)
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
