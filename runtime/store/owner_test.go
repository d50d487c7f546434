package store

import (
	"os"
	"testing"
)

func TestParseOwner(t *testing.T) {
	tests := []struct {
		tag  string
		want Owner
		ok   bool
	}{
		{"1234:5678", Owner{1234, 5678}, true},
		{"1:0", Owner{1, 0}, true},
		{"", Owner{}, false},
		{"1234", Owner{}, false},
		{"0:5", Owner{}, false},
		{"-1:5", Owner{}, false},
		{"a:5", Owner{}, false},
		{"5:-1", Owner{}, false},
		{"live", Owner{}, false},
		{"1:2:3", Owner{}, false},
	}
	for _, tt := range tests {
		got, err := ParseOwner(tt.tag)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseOwner(%q) = %+v, %v; want %+v, ok %v", tt.tag, got, err, tt.want, tt.ok)
		}
		if tt.ok && got.String() != tt.tag {
			t.Errorf("ParseOwner(%q).String() = %q", tt.tag, got.String())
		}
	}
}

func TestSelfIsAlive(t *testing.T) {
	me, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	if me.Pid != os.Getpid() || !me.Alive() {
		t.Errorf("Self() = %+v, alive %v; want this process, alive", me, me.Alive())
	}
	// The same PID with another start time is a process that ended.
	if (Owner{Pid: me.Pid, StartTime: me.StartTime + 1}).Alive() {
		t.Error("an owner with this PID but another start time is alive")
	}
}
