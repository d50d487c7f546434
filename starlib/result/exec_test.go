package result

import (
	"testing"

	"go.starlark.net/starlark"

	"berth/starlib/dialect"
)

func TestExecResultInStarlark(t *testing.T) {
	predeclared := starlark.StringDict{
		"r":     NewExec(3, "out\n", "err\n", "out\nerr\n"),
		"same":  NewExec(3, "out\n", "err\n", "out\nerr\n"),
		"other": NewExec(0, "", "", ""),
	}
	tests := []struct {
		expr string
		want string
	}{
		{"r.exit_code", "3"},
		{"r.stdout", `"out\n"`},
		{"r.stderr", `"err\n"`},
		{"r.output", `"out\nerr\n"`},
		{"str(r)", `"exec_result(exit_code=3, stdout=\"out\\n\", stderr=\"err\\n\")"`},
		{"type(r)", `"exec_result"`},
		{"dir(r)", `["exit_code", "output", "stderr", "stdout"]`},
		{"r == same", "True"},
		{"r != other", "True"},
		{"bool(other)", "True"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			v, err := starlark.EvalOptions(dialect.FileOptions(), &starlark.Thread{}, "test", tt.expr, predeclared)
			if err != nil {
				t.Fatal(err)
			}
			if v.String() != tt.want {
				t.Errorf("%s = %s, want %s", tt.expr, v, tt.want)
			}
		})
	}
}

func TestExecResultErrors(t *testing.T) {
	predeclared := starlark.StringDict{"r": NewExec(0, "", "", "")}
	tests := []struct{ expr, want string }{
		{"r.code", "exec_result has no .code field or method"},
		{"{r: 1}", "unhashable type: exec_result"},
		{"r < r", "exec_result < exec_result not supported"},
	}
	for _, tt := range tests {
		_, err := starlark.EvalOptions(dialect.FileOptions(), &starlark.Thread{}, "test", tt.expr, predeclared)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: err = %v, want %q", tt.expr, err, tt.want)
		}
	}
}
