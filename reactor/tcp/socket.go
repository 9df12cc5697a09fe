package tcp

import (
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// resolve turns "host:port" into a TCP address. Names are resolved once,
// here, with the standard resolver; nothing else in this package uses net
// for I/O.
func resolve(addr string) (*net.TCPAddr, error) {
	a, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("tcp: resolve %q: %w", addr, err)
	}
	return a, nil
}

// sockaddr converts a TCP address to the raw form bind/connect take, and
// returns the matching address family.
func sockaddr(a *net.TCPAddr) (unix.Sockaddr, int) {
	if ip4 := a.IP.To4(); ip4 != nil || a.IP == nil {
		sa := &unix.SockaddrInet4{Port: a.Port}
		if ip4 != nil {
			copy(sa.Addr[:], ip4)
		}
		return sa, unix.AF_INET
	}
	sa := &unix.SockaddrInet6{Port: a.Port}
	copy(sa.Addr[:], a.IP.To16())
	if a.Zone != "" {
		if ifi, err := net.InterfaceByName(a.Zone); err == nil {
			sa.ZoneId = uint32(ifi.Index)
		}
	}
	return sa, unix.AF_INET6
}

// tcpAddr converts a raw socket address back to a *net.TCPAddr.
func tcpAddr(sa unix.Sockaddr) *net.TCPAddr {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: net.IPv4(sa.Addr[0], sa.Addr[1], sa.Addr[2], sa.Addr[3]), Port: sa.Port}
	case *unix.SockaddrInet6:
		a := &net.TCPAddr{IP: append(net.IP(nil), sa.Addr[:]...), Port: sa.Port}
		if sa.ZoneId != 0 {
			if ifi, err := net.InterfaceByIndex(int(sa.ZoneId)); err == nil {
				a.Zone = ifi.Name
			}
		}
		return a
	}
	return &net.TCPAddr{}
}

// listenSocket creates, binds and listens. It returns the fd and the bound
// address (which carries the real port when the caller asked for port 0).
func listenSocket(a *net.TCPAddr, backlog int) (int, *net.TCPAddr, error) {
	sa, family := sockaddr(a)
	fd, err := newSocket(family)
	if err != nil {
		return -1, nil, err
	}
	fail := func(call string, err error) (int, *net.TCPAddr, error) {
		unix.Close(fd)
		return -1, nil, os.NewSyscallError(call, err)
	}
	// SO_REUSEADDR lets a restarted server bind while old connections sit
	// in TIME_WAIT; without it `serve` would fail for a minute after ^C.
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return fail("setsockopt", err)
	}
	if err := unix.Bind(fd, sa); err != nil {
		return fail("bind", err)
	}
	if err := unix.Listen(fd, backlog); err != nil {
		return fail("listen", err)
	}
	bound, err := unix.Getsockname(fd)
	if err != nil {
		return fail("getsockname", err)
	}
	return fd, tcpAddr(bound), nil
}

// setNoDelay turns off Nagle's algorithm, as Go's net package does by
// default: request/response protocols otherwise wait for delayed ACKs.
func setNoDelay(fd int) {
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
}
