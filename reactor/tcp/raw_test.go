package tcp

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// The raw calls give a caller the Listener's sockets without the rest:
// a non-blocking listening socket, EAGAIN when nobody is queued, a
// non-blocking connection with the peer's address, and a send.
func TestRaw(t *testing.T) {
	lfd, addr, err := ListenRaw("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(lfd)
	if addr.Port == 0 {
		t.Fatalf("ListenRaw bound %v; want a real port", addr)
	}
	if _, _, err := AcceptRaw(lfd); !errors.Is(err, unix.EAGAIN) {
		t.Fatalf("AcceptRaw with nobody queued = %v; want EAGAIN", err)
	}
	c := dial(t, addr)
	var fd int
	for {
		var err error
		fd, _, err = AcceptRaw(lfd)
		if err == nil {
			break
		}
		if !errors.Is(err, unix.EAGAIN) {
			t.Fatalf("AcceptRaw = %v", err)
		}
		pfd := []unix.PollFd{{Fd: int32(lfd), Events: unix.POLLIN}}
		unix.Poll(pfd, -1)
	}
	defer unix.Close(fd)
	if fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0); err != nil || fl&unix.O_NONBLOCK == 0 {
		t.Errorf("accepted fd flags %#x, %v; want O_NONBLOCK", fl, err)
	}
	if n, err := SendRaw(fd, []byte("hi")); n != 2 || err != nil {
		t.Fatalf("SendRaw = %d, %v; want 2, nil", n, err)
	}
	b := make([]byte, 2)
	if _, err := c.Read(b); err != nil || string(b) != "hi" {
		t.Errorf("peer read %q, %v; want \"hi\"", b, err)
	}
}
