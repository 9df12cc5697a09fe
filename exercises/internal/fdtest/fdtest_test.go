package fdtest

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestNonblockingPair(t *testing.T) {
	fds, err := NonblockingPair()
	if err != nil {
		t.Fatalf("NonblockingPair() = %v", err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	for _, fd := range fds {
		fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
		if err != nil || fl&unix.O_NONBLOCK == 0 {
			t.Errorf("fd %d: flags %#x, %v; want O_NONBLOCK set", fd, fl, err)
		}
	}
	if _, err := unix.Write(fds[1], []byte("x")); err != nil {
		t.Fatalf("write: %v", err)
	}
	var b [4]byte
	if n, err := unix.Read(fds[0], b[:]); n != 1 || err != nil {
		t.Errorf("read = %d, %v; want 1, nil: the ends are connected", n, err)
	}
	if _, err := unix.Read(fds[0], b[:]); err != unix.EAGAIN {
		t.Errorf("read of an empty end = %v; want EAGAIN", err)
	}
}

// FileOf tells "the same file" from "closed" and from "closed, and the
// number reused".
func TestFileOf(t *testing.T) {
	a, err := NonblockingPair()
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(a[1])
	f, ok := FileOf(a[0])
	if !ok || !f.Names(a[0]) {
		t.Fatalf("FileOf(%d) = %v, %v; want the open socket", a[0], f, ok)
	}
	if other, _ := FileOf(a[1]); other == f {
		t.Errorf("both ends of a socketpair name the same file %v; want two", f)
	}
	b, err := NonblockingPair()
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(b[0])
	defer unix.Close(b[1])
	if err := unix.Dup2(b[0], a[0]); err != nil { // a[0] is closed, and its number reused
		t.Fatal(err)
	}
	defer unix.Close(a[0])
	if f.Names(a[0]) {
		t.Errorf("after dup2 over fd %d, File.Names still says it names the old socket", a[0])
	}
	unix.Close(a[0])
	if _, ok := FileOf(a[0]); ok {
		t.Errorf("FileOf(%d) after close: ok; want false", a[0])
	}
}
