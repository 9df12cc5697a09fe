package tcp

import (
	"net"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// A wildcard address listens on IPv6 and IPv4 at once, as net.Listen does.
func TestListenWildcardIsDualStack(t *testing.T) {
	for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0"} {
		t.Run(addr, func(t *testing.T) {
			loop := startLoop(t, "")
			f, _ := NewFactory("echo", ProtocolOptions{})
			ln, err := listenAt(t, loop, addr, f)
			if err != nil {
				t.Fatalf("ListenTCP(%s) = %v", addr, err)
			}
			port := strconv.Itoa(ln.Addr().Port)
			for _, host := range []string{"127.0.0.1", "::1"} {
				if host == "::1" && !hasIPv6Loopback() {
					continue
				}
				c, err := net.DialTimeout("tcp", net.JoinHostPort(host, port), safety)
				if err != nil {
					t.Errorf("dial %s on a listener for %s: %v; want both families served", host, addr, err)
					continue
				}
				if err := echoOnce(c); err != nil {
					t.Errorf("echo over %s: %v", host, err)
				}
				c.Close()
			}
		})
	}
}

func hasIPv6Loopback() bool {
	l, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// IPv6 zones survive the round trip to the kernel and back, by name or by
// number; an unknown zone is an error, not silently dropped.
func TestZones(t *testing.T) {
	lo, err := loopbackInterface()
	if err != nil {
		t.Skip(err)
	}
	ll := net.ParseIP("fe80::1")
	for _, zone := range []string{lo.Name, strconv.Itoa(lo.Index)} {
		sa, family, err := sockaddr(&net.TCPAddr{IP: ll, Port: 7, Zone: zone})
		if err != nil || family != unix.AF_INET6 {
			t.Fatalf("sockaddr(zone %q) = %v, %d; want AF_INET6", zone, err, family)
		}
		if id := sa.(*unix.SockaddrInet6).ZoneId; id != uint32(lo.Index) {
			t.Errorf("sockaddr(zone %q).ZoneId = %d; want %d", zone, id, lo.Index)
		}
		back := tcpAddr(sa)
		if back.Zone != lo.Name || !back.IP.Equal(ll) || back.Port != 7 {
			t.Errorf("tcpAddr(sockaddr(zone %q)) = %v; want [fe80::1%%%s]:7", zone, back, lo.Name)
		}
	}
	if _, _, err := sockaddr(&net.TCPAddr{IP: ll, Zone: "no-such-interface"}); err == nil {
		t.Errorf("sockaddr with an unknown zone = nil error; want one naming the zone")
	}
	if got := tcpAddr(&unix.SockaddrInet6{ZoneId: 1 << 30}).Zone; got != strconv.Itoa(1<<30) {
		t.Errorf("zone of an index no interface has = %q; want the number", got)
	}
}

func loopbackInterface() (*net.Interface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	for i := range ifs {
		if ifs[i].Flags&net.FlagLoopback != 0 {
			return &ifs[i], nil
		}
	}
	return nil, net.UnknownNetworkError("no loopback interface")
}

// A listener on a link-local address, zone given by number, binds to that
// interface and reports the zone by name.
func TestListenLinkLocalZone(t *testing.T) {
	ip, ifi := linkLocal()
	if ip == nil {
		t.Skip("no interface with a link-local IPv6 address")
	}
	loop := startLoop(t, "")
	f, _ := NewFactory("echo", ProtocolOptions{})
	addr := net.JoinHostPort(ip.String()+"%"+strconv.Itoa(ifi.Index), "0")
	ln, err := listenAt(t, loop, addr, f)
	if err != nil {
		t.Fatalf("ListenTCP(%s) = %v; want the zone kept", addr, err)
	}
	if ln.Addr().Zone != ifi.Name {
		t.Errorf("Addr() = %v; want zone %s", ln.Addr(), ifi.Name)
	}
	c, err := net.DialTimeout("tcp", ln.Addr().String(), safety)
	if err != nil {
		t.Fatalf("dial %v: %v", ln.Addr(), err)
	}
	defer c.Close()
	if err := echoOnce(c); err != nil {
		t.Errorf("echo over the link-local address: %v", err)
	}
}

func linkLocal() (net.IP, *net.Interface) {
	ifs, _ := net.Interfaces()
	for i := range ifs {
		if ifs[i].Flags&net.FlagUp == 0 {
			continue
		}
		addrs, _ := ifs[i].Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.To4() == nil && n.IP.IsLinkLocalUnicast() {
				return n.IP, &ifs[i]
			}
		}
	}
	return nil, nil
}

// Addresses are reported on both ends, for IPv4 and IPv6.
func TestAddresses(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0"} {
		t.Run(addr, func(t *testing.T) {
			loop := startLoop(t, "")
			r := newRecorder()
			ln, err := listenAt(t, loop, addr, one(r))
			if err != nil {
				t.Skipf("ListenTCP(%s) = %v (no IPv6 here?)", addr, err)
			}
			if ln.Addr().Port == 0 {
				t.Fatalf("Addr() = %v; want the real port", ln.Addr())
			}
			c := dial(t, ln.Addr())
			tr := <-r.made
			var local, remote string
			onLoop(loop, func() { local, remote = tr.LocalAddr().String(), tr.RemoteAddr().String() })
			if local != c.RemoteAddr().String() || remote != c.LocalAddr().String() {
				t.Errorf("transport local %s remote %s; want %s and %s", local, remote, c.RemoteAddr(), c.LocalAddr())
			}
			c.Close()
			waitErr(t, r.lost)
		})
	}
}

var _ net.Addr = (*net.TCPAddr)(nil)
