package reactor_test

import (
	"fmt"

	"github.com/reactorlab/reactorlab/reactor"
	"golang.org/x/sys/unix"
)

// A socketpair, one readable registration, one pass per step.
func Example() {
	l, err := reactor.New(reactor.Config{Heartbeat: -1})
	if err != nil {
		panic(err)
	}
	defer l.Close()
	fds, _ := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	unix.SetNonblock(fds[0], true)

	l.Register(fds[0], reactor.Readable, "reader", func(fd int, r reactor.Ready) {
		buf := make([]byte, 64)
		n, err := unix.Read(fd, buf)
		if err == unix.EAGAIN {
			return // spurious: nothing after all
		}
		fmt.Printf("%s: %q\n", r.Glyphs(), buf[:n])
		l.Stop()
	})
	unix.Write(fds[1], []byte("hello"))
	l.Run()
	fmt.Println("stopped:", l.Run())
	// Output:
	// I...: "hello"
	// stopped: reactor: a stopped loop cannot be restarted; create a new one
}
