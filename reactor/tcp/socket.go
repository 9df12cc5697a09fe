package tcp

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"

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
// returns the matching address family. An IPv6 zone is kept, given as an
// interface name ("eth0") or index ("2"); an unknown one is an error, not
// silently dropped.
func sockaddr(a *net.TCPAddr) (unix.Sockaddr, int, error) {
	if ip4 := a.IP.To4(); ip4 != nil || a.IP == nil {
		sa := &unix.SockaddrInet4{Port: a.Port}
		if ip4 != nil {
			copy(sa.Addr[:], ip4)
		}
		return sa, unix.AF_INET, nil
	}
	sa := &unix.SockaddrInet6{Port: a.Port}
	copy(sa.Addr[:], a.IP.To16())
	if a.Zone != "" {
		id, err := zoneIndex(a.Zone)
		if err != nil {
			return nil, 0, err
		}
		sa.ZoneId = id
	}
	return sa, unix.AF_INET6, nil
}

// zoneIndex turns an IPv6 zone into an interface index, as net does: a
// name first, then a decimal number.
func zoneIndex(zone string) (uint32, error) {
	if ifi, err := net.InterfaceByName(zone); err == nil {
		return uint32(ifi.Index), nil
	}
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
		return uint32(n), nil
	}
	return 0, fmt.Errorf("tcp: unknown IPv6 zone %q: no interface has that name or number", zone)
}

// zoneName turns an interface index back into a zone: the interface's
// name if it has one, else the number.
func zoneName(id uint32) string {
	if ifi, err := net.InterfaceByIndex(int(id)); err == nil {
		return ifi.Name
	}
	return strconv.FormatUint(uint64(id), 10)
}

// tcpAddr converts a raw socket address back to a *net.TCPAddr.
func tcpAddr(sa unix.Sockaddr) *net.TCPAddr {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: net.IPv4(sa.Addr[0], sa.Addr[1], sa.Addr[2], sa.Addr[3]), Port: sa.Port}
	case *unix.SockaddrInet6:
		a := &net.TCPAddr{IP: append(net.IP(nil), sa.Addr[:]...), Port: sa.Port}
		if sa.ZoneId != 0 {
			a.Zone = zoneName(sa.ZoneId)
		}
		return a
	}
	return &net.TCPAddr{}
}

// listenSocket creates, binds and listens. It returns the fd and the bound
// address (which carries the real port when the caller asked for port 0).
// A wildcard address listens on both IPv6 and IPv4, as net.Listen does,
// falling back to IPv4 alone where the system has no IPv6.
func listenSocket(a *net.TCPAddr, backlog int) (int, *net.TCPAddr, error) {
	if a.IP == nil || a.IP.IsUnspecified() {
		fd, bound, err := listenOn(&unix.SockaddrInet6{Port: a.Port}, unix.AF_INET6, backlog)
		if !errors.Is(err, unix.EAFNOSUPPORT) {
			return fd, bound, err
		}
		return listenOn(&unix.SockaddrInet4{Port: a.Port}, unix.AF_INET, backlog)
	}
	sa, family, err := sockaddr(a)
	if err != nil {
		return -1, nil, err
	}
	return listenOn(sa, family, backlog)
}

func listenOn(sa unix.Sockaddr, family, backlog int) (int, *net.TCPAddr, error) {
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
	if sa, ok := sa.(*unix.SockaddrInet6); ok && sa.Addr == [16]byte{} {
		// The wildcard: IPv4 clients too (IPV6_V6ONLY off), as net.Listen.
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0); err != nil {
			return fail("setsockopt", err)
		}
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
