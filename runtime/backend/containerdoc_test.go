package backend

import (
	"reflect"
	"testing"

	"berth/runtime/spec"
)

// ContainerDoc lays out what an engine gathered with Docker's keys and
// defaults.
func TestContainerDocInspect(t *testing.T) {
	tests := []struct {
		name string
		doc  ContainerDoc
		path []string // keys down to the value
		want any
	}{
		{"path is the first arg", ContainerDoc{Args: []string{"sh", "-c", "true"}}, []string{"Path"}, "sh"},
		{"args are the rest", ContainerDoc{Args: []string{"sh", "-c", "true"}}, []string{"Args"}, []any{"-c", "true"}},
		{"no args is an empty list", ContainerDoc{Args: []string{"top"}}, []string{"Args"}, []any{}},
		{"name has a slash", ContainerDoc{Args: []string{"x"}, Name: "web"}, []string{"Name"}, "/web"},
		{"hosts file in the dir", ContainerDoc{Args: []string{"x"}, Dir: "/c/1"}, []string{"HostsPath"}, "/c/1/hosts"},
		{"network mode default", ContainerDoc{Args: []string{"x"}}, []string{"HostConfig", "NetworkMode"}, "default"},
		{"network mode given", ContainerDoc{Args: []string{"x"}, Spec: spec.Container{Network: "host"}},
			[]string{"HostConfig", "NetworkMode"}, "host"},
		{"swap defaults to twice the memory", ContainerDoc{Args: []string{"x"}, Spec: spec.Container{Resources: spec.Resources{Memory: 64}}},
			[]string{"HostConfig", "MemorySwap"}, int64(128)},
		{"throttles listed", ContainerDoc{Args: []string{"x"}, Spec: spec.Container{Resources: spec.Resources{
			BlkioRead: []spec.ThrottleDevice{{Path: "/dev/sda", Rate: 1024}}}}},
			[]string{"HostConfig", "BlkioDeviceReadBps"}, []any{map[string]any{"Path": "/dev/sda", "Rate": int64(1024)}}},
		{"no throttles is an empty list", ContainerDoc{Args: []string{"x"}}, []string{"HostConfig", "BlkioDeviceWriteIOps"}, []any{}},
		{"running state", ContainerDoc{Args: []string{"x"}, State: ContainerState{Status: StatusRunning, Pid: 42}},
			[]string{"State", "Running"}, true},
		{"pid as int64", ContainerDoc{Args: []string{"x"}, State: ContainerState{Status: StatusRunning, Pid: 42}},
			[]string{"State", "Pid"}, int64(42)},
		{"stopped state", ContainerDoc{Args: []string{"x"}, State: ContainerState{Status: StatusExited}},
			[]string{"State", "Running"}, false},
		{"open stdin", ContainerDoc{Args: []string{"x"}, Spec: spec.Container{Stdin: new(string)}},
			[]string{"Config", "OpenStdin"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got any = tt.doc.Inspect()
			for _, k := range tt.path {
				m, ok := got.(map[string]any)
				if !ok {
					t.Fatalf("%v: not a map above %q", tt.path, k)
				}
				got = m[k]
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%v = %#v, want %#v", tt.path, got, tt.want)
			}
		})
	}
}
