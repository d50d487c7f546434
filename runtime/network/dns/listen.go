package dns

import (
	"fmt"
	"net"

	"berth/runtime/internal/throwaway"

	"github.com/vishvananda/netns"
)

// Address is where containers on user networks find the embedded server
// (their resolv.conf says "nameserver 127.0.0.11").
const Address = "127.0.0.11:53"

// ListenInNetNS opens the UDP and TCP sockets of the embedded server on
// 127.0.0.11:53 inside the network namespace at nsPath. The sockets stay in
// that namespace for their whole life, whichever thread uses them later.
// Queries reach them only once the namespace's lo is up.
func ListenInNetNS(nsPath string) (net.PacketConn, net.Listener, error) {
	// The thread is left in the container's namespace: Go must end it.
	var pc net.PacketConn
	var l net.Listener
	err := throwaway.Thread(func() (err error) {
		pc, l, err = listenHere(nsPath)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return pc, l, nil
}

// listenHere enters the namespace at nsPath on the current (locked) thread
// and listens there.
func listenHere(nsPath string) (net.PacketConn, net.Listener, error) {
	ns, err := netns.GetFromPath(nsPath)
	if err != nil {
		return nil, nil, fmt.Errorf("open network namespace %s: %w", nsPath, err)
	}
	defer ns.Close()
	if err := netns.Set(ns); err != nil {
		return nil, nil, fmt.Errorf("enter network namespace %s: %w", nsPath, err)
	}
	pc, err := net.ListenPacket("udp4", Address)
	if err != nil {
		return nil, nil, fmt.Errorf("listen on udp %s in network namespace %s: %w", Address, nsPath, err)
	}
	l, err := net.Listen("tcp4", Address)
	if err != nil {
		pc.Close()
		return nil, nil, fmt.Errorf("listen on tcp %s in network namespace %s: %w", Address, nsPath, err)
	}
	return pc, l, nil
}
