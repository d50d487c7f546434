package network

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Listening reports whether a socket in the network namespace of process
// pid listens on TCP port: it reads the namespace's socket table
// (/proc/PID/net/tcp{,6}), so it works whatever the network mode.
func Listening(pid, port int) bool {
	want := fmt.Sprintf(":%04X", port)
	for _, file := range []string{"tcp", "tcp6"} {
		f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/net/" + file)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) > 3 && strings.HasSuffix(fields[1], want) && fields[3] == "0A" {
				f.Close()
				return true
			}
		}
		f.Close()
	}
	return false
}
