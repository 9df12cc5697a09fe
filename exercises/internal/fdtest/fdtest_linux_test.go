package fdtest

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestUnread(t *testing.T) {
	fds, err := NonblockingPair()
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	if n := Unread(fds[0]); n != 0 {
		t.Errorf("Unread of an empty socket = %d; want 0", n)
	}
	unix.Write(fds[1], []byte("hello"))
	if n := Unread(fds[0]); n != 5 {
		t.Errorf("Unread after 5 bytes were sent = %d; want 5", n)
	}
}

// InterestList reads what the kernel watches: flags, data, disarmed one-shot
// entries, and an entry that outlives its number through a dup.
func TestInterestList(t *testing.T) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(epfd)
	fds, err := NonblockingPair()
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[1])
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLONESHOT, Fd: int32(fds[0])}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, fds[0], &ev); err != nil {
		t.Fatal(err)
	}
	regs, err := InterestList(epfd)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := regs[fds[0]]
	const want = unix.EPOLLIN | unix.EPOLLONESHOT // the kernel adds EPOLLERR|EPOLLHUP
	if !ok || r.Events&want != want || int32(r.Data) != int32(fds[0]) || !r.Armed() {
		t.Fatalf("InterestList = %v; want fd %d with EPOLLIN|EPOLLONESHOT, data %d, armed", regs, fds[0], fds[0])
	}
	unix.Write(fds[1], []byte("x"))
	if n, err := unix.EpollWait(epfd, make([]unix.EpollEvent, 1), 1000); n != 1 || err != nil {
		t.Fatalf("EpollWait = %d, %v; want the one event", n, err)
	}
	if regs, _ := InterestList(epfd); regs[fds[0]].Armed() {
		t.Errorf("after its one-shot event, fd %d is still armed (events %#x)", fds[0], regs[fds[0]].Events)
	}
	dup, err := unix.Dup(fds[0])
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(dup)
	unix.Close(fds[0])
	if regs, _ := InterestList(epfd); len(regs) != 1 {
		t.Errorf("after close(%d) with a dup alive, InterestList = %v; want the entry still there", fds[0], regs)
	}
	if _, err := InterestList(-1); err == nil {
		t.Errorf("InterestList(-1) = nil error; want one")
	}
}
