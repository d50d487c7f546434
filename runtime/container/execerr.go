package container

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"berth/runtime/kinderr"
)

// libcontainer's init executes the user's program only after it has closed
// the pipe through which it reports errors to the parent, so an execve that
// fails (argument list too long, a NUL byte in an argument, exec format
// error) is printed on the container's stderr and the init exits with 255,
// which looks like the program's own doing. berth passes the init one
// extra file, the write end of a pipe, marked close-on-exec in the init
// (see init.go): it reads EOF once the program runs, or the message the
// init printed when it did not.

// execErrorFd is that pipe in the init: the first file passed, after stdio.
const execErrorFd = 3

// maxExecError bounds what is read from the pipe.
const maxExecError = 4096

// ErrExecFailed marks a program that was found but that the kernel refused
// to execute. The error also matches its errno (syscall.E2BIG, ...).
var ErrExecFailed = errors.New("exec failed")

// execReport reads an init's execve outcome.
type execReport struct {
	r    *os.File
	done chan struct{}
	msg  string // set before done is closed
}

// newExecReport returns a report and the write end to pass to the init as
// its first extra file. The caller closes w once the init has started.
func newExecReport() (rep *execReport, w *os.File, err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("exec error pipe: %w", err)
	}
	rep = &execReport{r: r, done: make(chan struct{})}
	go rep.read()
	return rep, w, nil
}

func (e *execReport) read() {
	defer close(e.done)
	defer e.r.Close()
	b, _ := io.ReadAll(io.LimitReader(e.r, maxExecError))
	_, _ = io.Copy(io.Discard, e.r) // whatever is beyond the bound, to EOF
	e.msg = strings.TrimSpace(string(b))
}

// wait blocks until the init has executed the program or died, and returns
// the error it reported (nil when the program runs).
func (e *execReport) wait(p *Process) error {
	<-e.done
	if e.msg == "" {
		return nil
	}
	errno := errnoNamed(e.msg)
	kind := ErrExecFailed
	if errno != 0 {
		kind = errors.Join(ErrExecFailed, errno) // both match
	}
	return kinderr.Errorf(kind, "%s", e.msg+explainExec(errno, p))
}

// errnoNamed finds the errno whose text ends msg ("exec /bin/x: argument
// list too long").
func errnoNamed(msg string) syscall.Errno {
	i := strings.LastIndex(msg, ": ")
	if i < 0 {
		return 0
	}
	text := msg[i+2:]
	for n := syscall.Errno(1); n < 256; n++ {
		if unix.ErrnoName(n) != "" && n.Error() == text {
			return n
		}
	}
	return 0
}

// Limits of execve(2) on Linux (fs/exec.c): each string at most 32 pages,
// all of them with their pointers at most a quarter of the stack limit,
// but no less than 32 pages and no more than 6 MiB.
const (
	maxArgStrlen = 32 * 4096
	minArgTotal  = 32 * 4096
	maxArgTotal  = 6 << 20
)

// explainExec says what in p made execve fail, for the errors that come
// from its arguments.
func explainExec(errno syscall.Errno, p *Process) string {
	switch errno {
	case syscall.EINVAL:
		for _, list := range []struct {
			name    string
			strings []string
		}{{"argument", p.Args}, {"environment variable", p.Env}} {
			for i, s := range list.strings {
				if strings.IndexByte(s, 0) >= 0 {
					return fmt.Sprintf(" (%s %d contains a NUL byte, which execve cannot pass)", list.name, i)
				}
			}
		}
	case syscall.E2BIG:
		total, longest := 0, 0
		for _, s := range append(append([]string(nil), p.Args...), p.Env...) {
			total += len(s) + 1 + 8 // the string, its NUL and its pointer
			longest = max(longest, len(s)+1)
		}
		return fmt.Sprintf(" (the %d arguments and %d environment variables take %d bytes, the longest string %d; Linux allows %d bytes per string and %d in all)",
			len(p.Args), len(p.Env), total, longest, maxArgStrlen, argTotalLimit())
	}
	return ""
}

// argTotalLimit is execve's limit for arguments and environment together,
// from this process's stack limit, which the container's init inherits.
func argTotalLimit() int {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_STACK, &rl); err != nil || rl.Cur == unix.RLIM_INFINITY || rl.Cur/4 > maxArgTotal {
		return maxArgTotal
	}
	return max(int(rl.Cur/4), minArgTotal)
}

// reportExecErrors runs in the container's init, before libcontainer's:
// when berth passed the error pipe (exactly one extra file, so that
// libcontainer's own pipes start at 4), libcontainer's last-resort message
// goes there instead of to the container's stderr, and the pipe closes
// when the program is executed.
func reportExecErrors() {
	if os.Getenv("_LIBCONTAINER_INITPIPE") != strconv.Itoa(execErrorFd+1) {
		return
	}
	var st unix.Stat_t
	if unix.Fstat(execErrorFd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return
	}
	unix.CloseOnExec(execErrorFd)
	os.Stderr = os.NewFile(execErrorFd, "exec-error")
}
