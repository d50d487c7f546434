// Command udpecho answers every UDP datagram on :PORT with "echo: " and the
// datagram, so tests can check published UDP ports (busybox has no UDP
// server). It is built static and bind-mounted into a container.
package main

import (
	"net"
	"os"
)

func main() {
	pc, err := net.ListenPacket("udp", ":"+os.Args[1])
	if err != nil {
		os.Exit(1)
	}
	os.Stdout.WriteString("listening\n")
	buf := make([]byte, 65536)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			os.Exit(1)
		}
		_, _ = pc.WriteTo(append([]byte("echo: "), buf[:n]...), from)
	}
}
