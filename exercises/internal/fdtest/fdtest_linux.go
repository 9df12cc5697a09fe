package fdtest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Unread returns how many bytes wait in socket fd's receive buffer
// (SIOCINQ, also known as FIONREAD), without reading them; 0 if it cannot
// tell.
func Unread(fd int) int {
	n, err := unix.IoctlGetInt(fd, unix.SIOCINQ)
	if err != nil {
		return 0
	}
	return n
}

// Registration is one entry of an epoll interest list.
type Registration struct {
	Events uint32 // the events it waits for; a one-shot entry that has fired keeps only its flags
	Data   uint64 // what epoll hands back with each event (EpollEvent.Fd in its low 32 bits)
}

// Armed reports whether the registration would report the fd readable: a
// one-shot registration that has fired keeps only its flags (EPOLLONESHOT)
// until EPOLL_CTL_MOD arms it again.
func (r Registration) Armed() bool { return r.Events&unix.EPOLLIN != 0 }

// InterestList returns the kernel's interest list of epoll fd epfd, read
// from /proc/self/fdinfo/epfd: for each registered fd number, its events and
// data. The number is the one the fd had when it was registered: the entry
// stays listed under it even after that number is closed, as long as the
// file lives on (a dup, a child process) — which is the dup trap.
func InterestList(epfd int) (map[int]Registration, error) {
	path := fmt.Sprintf("/proc/self/fdinfo/%d", epfd)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	regs := map[int]Registration{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text()) // tfd: 7 events: 80000019 data: 7 pos:0 ino:... sdev:...
		if len(f) < 6 || f[0] != "tfd:" || f[2] != "events:" || f[4] != "data:" {
			continue
		}
		fd, err1 := strconv.Atoi(f[1])
		ev, err2 := strconv.ParseUint(f[3], 16, 32)
		data, err3 := strconv.ParseUint(f[5], 16, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("%s: cannot read %q", path, sc.Text())
		}
		regs[fd] = Registration{Events: uint32(ev), Data: data}
	}
	return regs, nil
}
