package backend

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"berth/runtime/spec"
)

func TestMergeImageConfig(t *testing.T) {
	img := ImageConfig{
		Env: []string{"PATH=/bin", "A=img"}, Cmd: []string{"serve"}, Entrypoint: []string{"/entry"},
		WorkingDir: "/app", User: "nobody", ExposedPorts: []string{"80/tcp", "53/udp"},
		Labels: map[string]string{"a": "img", "b": "img"}, Volumes: []string{"/data/", "/cache"},
		StopSignal: "SIGQUIT",
	}
	tests := []struct {
		name string
		cs   spec.Container
		img  ImageConfig
		want ContainerConfig
	}{
		{"image only", spec.Container{}, img, ContainerConfig{
			Entrypoint: []string{"/entry"}, Cmd: []string{"serve"}, Env: []string{"PATH=/bin", "A=img"},
			User: "nobody", WorkingDir: "/app", Labels: map[string]string{"a": "img", "b": "img"},
			ExposedPorts: []string{"53/udp", "80/tcp"}, Volumes: []string{"/cache", "/data"}, StopSignal: "SIGQUIT",
		}},
		{"spec wins", spec.Container{
			Cmd: []string{"x"}, Env: []string{"A=ctr", "C=ctr"}, User: "1000:1000", Workdir: "/w",
			Labels: map[string]string{"b": "ctr"}, Ports: []string{"8080:80", "9000/udp"},
		}, img, ContainerConfig{
			Entrypoint: []string{"/entry"}, Cmd: []string{"x"}, Env: []string{"PATH=/bin", "A=ctr", "C=ctr"},
			User: "1000:1000", WorkingDir: "/w", Labels: map[string]string{"a": "img", "b": "ctr"},
			ExposedPorts: []string{"53/udp", "80/tcp", "9000/udp"}, Volumes: []string{"/cache", "/data"}, StopSignal: "SIGQUIT",
		}},
		{"anonymous -v volumes join Config.Volumes", spec.Container{Cmd: []string{"sh"}, Mounts: []spec.Mount{
			{Type: spec.MountVolume, Target: "/anon/", Spec: "/anon/"},
			{Type: spec.MountVolume, Source: "named", Target: "/named", Spec: "named:/named"},
			{Type: spec.MountVolume, Target: "/mounted"}, // --mount type=volume: HostConfig.Mounts only
		}}, ImageConfig{Volumes: []string{"/data"}}, ContainerConfig{
			Cmd: []string{"sh"}, Volumes: []string{"/anon", "/data"},
		}},
		{"bare EXPOSE is tcp; empty image", spec.Container{Cmd: []string{"sh"}}, ImageConfig{ExposedPorts: []string{"8125"}}, ContainerConfig{
			Cmd: []string{"sh"}, ExposedPorts: []string{"8125/tcp"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MergeImageConfig(tt.cs, tt.img)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestMergeImageConfigBadImage(t *testing.T) {
	tests := []struct {
		img  ImageConfig
		want string
	}{
		{ImageConfig{StopSignal: "SIGNOPE"}, `image app: STOPSIGNAL: invalid signal: "SIGNOPE"`},
		{ImageConfig{ExposedPorts: []string{"80-90/tcp"}}, `image app: EXPOSE "80-90/tcp": want PORT or PORT/PROTO`},
		{ImageConfig{ExposedPorts: []string{"1:80"}}, `image app: EXPOSE "1:80"`},
		{ImageConfig{Volumes: []string{"data"}}, `image app: VOLUME "data": want an absolute path`},
	}
	for _, tt := range tests {
		_, err := MergeImageConfig(spec.Container{Image: "app", Cmd: []string{"sh"}}, tt.img)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: got %v, want %q (ErrInvalid)", tt.img, err, tt.want)
		}
	}
}

func TestStopSignalOf(t *testing.T) {
	if got := (ContainerConfig{}).StopSignalOf(); got != "SIGTERM" {
		t.Errorf("default stop signal %q, want SIGTERM", got)
	}
	if got := (ContainerConfig{StopSignal: "SIGQUIT"}).StopSignalOf(); got != "SIGQUIT" {
		t.Errorf("stop signal %q, want the image's SIGQUIT", got)
	}
}
