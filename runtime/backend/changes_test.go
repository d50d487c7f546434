package backend

import (
	"errors"
	"reflect"
	"testing"
)

func TestApplyChanges(t *testing.T) {
	base := ImageConfig{Env: []string{"PATH=/bin"}, Cmd: []string{"sh"}, Labels: map[string]string{"a": "1"}}
	tests := []struct {
		change string
		want   ImageConfig
	}{
		{`CMD ["nginx", "-g", "daemon off;"]`, ImageConfig{Env: base.Env, Cmd: []string{"nginx", "-g", "daemon off;"}, Labels: base.Labels}},
		{`CMD echo hi`, ImageConfig{Env: base.Env, Cmd: []string{"/bin/sh", "-c", "echo hi"}, Labels: base.Labels}},
		{`ENTRYPOINT ["/e"]`, ImageConfig{Env: base.Env, Cmd: base.Cmd, Entrypoint: []string{"/e"}, Labels: base.Labels}},
		{`ENV A=b c`, ImageConfig{Env: []string{"PATH=/bin", "A=b c"}, Cmd: base.Cmd, Labels: base.Labels}},
		{`ENV PATH /usr/bin`, ImageConfig{Env: []string{"PATH=/usr/bin"}, Cmd: base.Cmd, Labels: base.Labels}},
		{`LABEL b="two"`, ImageConfig{Env: base.Env, Cmd: base.Cmd, Labels: map[string]string{"a": "1", "b": "two"}}},
		{`EXPOSE 80 53/udp`, ImageConfig{Env: base.Env, Cmd: base.Cmd, Labels: base.Labels, ExposedPorts: []string{"53/udp", "80/tcp"}}},
		{`VOLUME ["/data", "/logs"]`, ImageConfig{Env: base.Env, Cmd: base.Cmd, Labels: base.Labels, Volumes: []string{"/data", "/logs"}}},
		{`user nobody`, ImageConfig{Env: base.Env, Cmd: base.Cmd, Labels: base.Labels, User: "nobody"}},
		{`WORKDIR /srv`, ImageConfig{Env: base.Env, Cmd: base.Cmd, Labels: base.Labels, WorkingDir: "/srv"}},
	}
	for _, tt := range tests {
		got, err := ApplyChanges(base, []string{tt.change})
		if err != nil {
			t.Errorf("%s: %v", tt.change, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.change, got, tt.want)
		}
	}
	if base.Labels["b"] != "" || len(base.Env) != 1 {
		t.Errorf("ApplyChanges changed its input: %+v", base)
	}
}

func TestApplyChangesRefusesWithDockersText(t *testing.T) {
	for change, want := range map[string]string{
		"RUN make":  `change "RUN make": RUN is not a valid change command`,
		"CMD":       `change "CMD": CMD requires at least one argument`,
		"LABEL foo": `change "LABEL foo": LABEL must have two arguments: want KEY=VALUE, got "foo"`,
	} {
		_, err := ApplyChanges(ImageConfig{}, []string{change})
		if err == nil || err.Error() != want || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: error %v, want %q (ErrInvalid)", change, err, want)
		}
	}
}
