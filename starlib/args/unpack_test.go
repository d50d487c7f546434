package args

import (
	"errors"
	"slices"
	"testing"

	"go.starlark.net/starlark"
)

// TestUnpackHints: every keyword argument that is no parameter gets the
// nearest parameter, wherever it stands in the list, or the parameter
// Docker spells that way; an exact parameter is unpacked as UnpackArgs
// does.
func TestUnpackHints(t *testing.T) {
	// Eight parameters: UnpackArgs's own hint only looks at the first four.
	var (
		image, network, logDriver, cpusetCpus string
		env, volumes, ports, logOpts          starlark.Value
	)
	pairs := []any{"image", &image, "env?", &env, "network??", &network, "volumes?", &volumes,
		"ports?", &ports, "log_driver??", &logDriver, "log_opts?", &logOpts, "cpuset_cpus??", &cpusetCpus}
	tests := []struct {
		keyword string
		want    string // the error; "" for none
	}{
		{"netwrok", `run: unexpected keyword argument "netwrok" (did you mean network?)`},
		{"log_drivr", `run: unexpected keyword argument "log_drivr" (did you mean log_driver?)`},
		{"cpuset_cpu", `run: unexpected keyword argument "cpuset_cpu" (did you mean cpuset_cpus?)`},
		{"LogDriver", `run: unexpected keyword argument "LogDriver" (did you mean log_driver?)`},
		{"port", `run: unexpected keyword argument "port" (did you mean ports?)`},
		{"net", `run: unexpected keyword argument "net" (did you mean network, Docker's --net?)`},
		{"publish", `run: unexpected keyword argument "publish" (did you mean ports, Docker's --publish?)`},
		{"p", `run: unexpected keyword argument "p" (did you mean ports, Docker's -p?)`},
		{"e", `run: unexpected keyword argument "e" (did you mean env, Docker's -e?)`},
		{"v", `run: unexpected keyword argument "v" (did you mean volumes, Docker's -v?)`},
		{"log_opt", `run: unexpected keyword argument "log_opt" (did you mean log_opts, Docker's --log-opt?)`},
		// A Docker spelling whose parameter this builtin lacks is no hint.
		{"d", `run: unexpected keyword argument "d"`},
		{"privileged", `run: unexpected keyword argument "privileged"`},
		{"log_driver", ""},
	}
	for _, tt := range tests {
		t.Run(tt.keyword, func(t *testing.T) {
			kw := []starlark.Tuple{{starlark.String(tt.keyword), starlark.String("x")}}
			err := Unpack("run", starlark.Tuple{starlark.String("busybox")}, kw, pairs...)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Unpack: %v", err)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Unpack: error %v, want %q", err, tt.want)
			}
			var uk *UnknownKeywordError
			if !errors.As(err, &uk) || uk.Keyword != tt.keyword || !slices.Equal(uk.Params, ParamNames(pairs)) {
				t.Errorf("error %#v: want an *UnknownKeywordError for %q listing every parameter", err, tt.keyword)
			}
		})
	}
}

// TestUnpackAsUnpackArgs: apart from unknown keywords, Unpack is
// UnpackArgs, with its texts.
func TestUnpackAsUnpackArgs(t *testing.T) {
	tests := []struct {
		name string
		args starlark.Tuple
		kw   []starlark.Tuple
		want string
	}{
		{"missing", nil, nil, "f: missing argument for a"},
		{"too many", starlark.Tuple{starlark.MakeInt(1), starlark.MakeInt(2), starlark.MakeInt(3)}, nil, "f: got 3 arguments, want at most 2"},
		{"twice", starlark.Tuple{starlark.MakeInt(1)}, []starlark.Tuple{{starlark.String("a"), starlark.MakeInt(2)}}, `f: got multiple values for keyword argument "a"`},
		{"bad type", starlark.Tuple{starlark.String("x")}, nil, "f: for parameter a: got string, want int"},
		{"ok", starlark.Tuple{starlark.MakeInt(1)}, []starlark.Tuple{{starlark.String("b"), starlark.MakeInt(2)}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a, b int
			err := Unpack("f", tt.args, tt.kw, "a", &a, "b?", &b)
			want := starlark.UnpackArgs("f", tt.args, tt.kw, "a", new(int), "b?", new(int))
			if (err == nil) != (want == nil) || (err != nil && err.Error() != want.Error()) {
				t.Fatalf("Unpack: %v; UnpackArgs: %v", err, want)
			}
			if err != nil && err.Error() != tt.want || err == nil && tt.want != "" {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParamNames(t *testing.T) {
	got := ParamNames([]any{"a", nil, "b?", nil, "c??", nil})
	if want := []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Errorf("ParamNames = %q, want %q", got, want)
	}
}
