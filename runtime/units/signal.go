package units

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Linux real-time signal range as Docker names it (glibc reserves 32 and 33).
const (
	sigRTMin = 34
	sigRTMax = 64
)

// ParseSignal parses a signal the way `docker kill --signal` does: a name
// with or without the SIG prefix in any case ("KILL", "SIGKILL", "kill"),
// RTMIN, RTMIN+n, RTMAX, RTMAX-n, or a number from 1 to 64.
func ParseSignal(s string) (syscall.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > sigRTMax {
			return 0, fmt.Errorf("invalid signal: %q: signal numbers go from 1 to %d", s, sigRTMax)
		}
		return syscall.Signal(n), nil
	}
	name := strings.TrimPrefix(strings.ToUpper(s), "SIG")
	if sig := unix.SignalNum("SIG" + name); sig != 0 {
		return sig, nil
	}
	if sig, ok := signalAlias(name); ok {
		return sig, nil
	}
	if sig, ok := realtimeSignal(name); ok {
		return sig, nil
	}
	return 0, fmt.Errorf("invalid signal: %q", s)
}

// signalAlias covers the Linux names that share a number with another
// signal; unix.SignalNum knows only one name per number.
func signalAlias(name string) (syscall.Signal, bool) {
	switch name {
	case "IOT":
		return unix.SIGIOT, true
	case "CLD":
		return unix.SIGCLD, true
	case "POLL":
		return unix.SIGPOLL, true
	}
	return 0, false
}

// realtimeSignal parses RTMIN, RTMIN+n, RTMAX and RTMAX-n.
func realtimeSignal(name string) (syscall.Signal, bool) {
	base, sign := sigRTMin, 1
	rest, ok := strings.CutPrefix(name, "RTMIN")
	if !ok {
		base, sign = sigRTMax, -1
		if rest, ok = strings.CutPrefix(name, "RTMAX"); !ok {
			return 0, false
		}
	}
	if rest == "" {
		return syscall.Signal(base), true
	}
	op := "+"
	if sign < 0 {
		op = "-"
	}
	digits, ok := strings.CutPrefix(rest, op)
	if !ok || !allDigits(digits) {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n > sigRTMax-sigRTMin {
		return 0, false
	}
	return syscall.Signal(base + sign*n), true
}
