package lessons

import (
	"fmt"
	"os"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
	"golang.org/x/sys/unix"
)

// stallFor is how long the "stall" injector's handler blocks the loop:
// long enough to feel in nc, short enough to try again and again.
const stallFor = 300 * time.Millisecond

// stallLabel names the injected handler, so the stalls pane blames it.
func stallLabel(d time.Duration) string {
	return fmt.Sprintf("blocking handler (sleeps %v)", d)
}

// injectStall registers a one-shot handler that sleeps for d (see
// injectHandler). Loop goroutine only.
func (dr *Driver) injectStall(d time.Duration) error {
	return dr.injectHandler(stallLabel(d), func() error {
		time.Sleep(d) // the mistake on purpose: blocking inside a handler
		return nil
	})
}

// injectHandler registers a one-shot handler that runs block on the loop:
// a pipe whose read end is made ready at once, with a handler that calls
// block, then removes itself. It is a real fd handler, dispatched like any
// connection's, so the loop times it and blames it by label — exactly how
// a slow handler in a real server shows up. block's error is reported on
// screen. Loop goroutine only.
func (dr *Driver) injectHandler(label string, block func() error) error {
	l := dr.loop
	r, w, err := pipe()
	if err != nil {
		return err
	}
	if err := unix.SetNonblock(r, true); err != nil {
		unix.Close(r)
		unix.Close(w)
		return os.NewSyscallError("fcntl", err)
	}
	reg, err := l.Register(r, reactor.Readable, label, func(fd int, _ reactor.Ready) {
		dr.report(block())
		dr.endStall(fd)
	})
	if err != nil {
		unix.Close(r)
		unix.Close(w)
		return fmt.Errorf("inject a blocking handler: %w", err)
	}
	if dr.stalls == nil {
		dr.stalls = stallSet{}
	}
	dr.stalls[r] = stallPipe{reg: reg, w: w}
	if _, err := unix.Write(w, []byte{1}); err != nil {
		dr.endStall(r)
		return os.NewSyscallError("write", err)
	}
	return nil
}

// pipe opens a pipe whose ends are closed on exec (and left blocking).
func pipe() (r, w int, err error) {
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		return -1, -1, os.NewSyscallError("pipe", err)
	}
	unix.CloseOnExec(p[0])
	unix.CloseOnExec(p[1])
	return p[0], p[1], nil
}

// endStall removes an injected handler and closes its pipe. Loop goroutine
// only; finish calls it for handlers that never got to run.
func (dr *Driver) endStall(r int) {
	p, ok := dr.stalls[r]
	if !ok {
		return
	}
	delete(dr.stalls, r)
	p.reg.Close() // deregisters, then closes r
	unix.Close(p.w)
}

// stallSet holds the injected handlers' pipes by read fd.
type stallSet map[int]stallPipe

// stallPipe is an injected handler's pipe: its registered read end and
// its write end.
type stallPipe struct {
	reg reactor.Registration
	w   int
}
