package units

import (
	"syscall"
	"testing"
)

func TestParseSignal(t *testing.T) {
	tests := []struct {
		in      string
		want    syscall.Signal
		wantErr string
	}{
		{in: "KILL", want: syscall.SIGKILL},
		{in: "SIGKILL", want: syscall.SIGKILL},
		{in: "kill", want: syscall.SIGKILL},
		{in: "sigkill", want: syscall.SIGKILL},
		{in: "9", want: syscall.SIGKILL},
		{in: "TERM", want: syscall.SIGTERM},
		{in: "HUP", want: syscall.SIGHUP},
		{in: "USR1", want: syscall.SIGUSR1},
		{in: "SIGWINCH", want: syscall.SIGWINCH},
		{in: "IOT", want: syscall.SIGABRT},
		{in: "CLD", want: syscall.SIGCHLD},
		{in: "SIGPOLL", want: syscall.SIGIO},
		{in: "RTMIN", want: 34},
		{in: "RTMIN+3", want: 37},
		{in: "SIGRTMAX", want: 64},
		{in: "RTMAX-2", want: 62},
		{in: "1", want: 1},
		{in: "64", want: 64},
		{in: "FOO", wantErr: `invalid signal: "FOO"`},
		{in: "", wantErr: `invalid signal: ""`},
		{in: "SIG", wantErr: `invalid signal: "SIG"`},
		{in: "SIGSIGKILL", wantErr: `invalid signal: "SIGSIGKILL"`},
		{in: " KILL", wantErr: `invalid signal: " KILL"`},
		{in: "0", wantErr: `invalid signal: "0": signal numbers go from 1 to 64`},
		{in: "65", wantErr: `invalid signal: "65": signal numbers go from 1 to 64`},
		{in: "-9", wantErr: `invalid signal: "-9": signal numbers go from 1 to 64`},
		{in: "RTMIN+31", wantErr: `invalid signal: "RTMIN+31"`},
		{in: "RTMIN-1", wantErr: `invalid signal: "RTMIN-1"`},
		{in: "RTMAX+1", wantErr: `invalid signal: "RTMAX+1"`},
		{in: "RTMIN+", wantErr: `invalid signal: "RTMIN+"`},
		{in: "RTMIN+-1", wantErr: `invalid signal: "RTMIN+-1"`},
	}
	for _, tt := range tests {
		got, err := ParseSignal(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseSignal(%q) = %v, %v; want error %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSignal(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}
