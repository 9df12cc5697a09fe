package lessons

import (
	"errors"
	"slices"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// The Driver's side of the injectors of lessons 4–7 (the table is in
// injectors.go; the raw echo's own faults are in labecho.go).

// errNoLab refuses an injector of the raw echo on another server.
var errNoLab = errors.New("this scenario does not run the raw echo server")

// The raw echo's switches, for labSwitch.
func edgeFlag(s *labEcho) *atomic.Bool     { return &s.edge }
func partialFlag(s *labEcho) *atomic.Bool  { return &s.partial }
func oneshotFlag(s *labEcho) *atomic.Bool  { return &s.oneshot }
func rearmFlag(s *labEcho) *atomic.Bool    { return &s.rearm }
func dupFirstFlag(s *labEcho) *atomic.Bool { return &s.dupFirst }

// labSwitch sets one of the raw echo's switches and runs then on the loop
// goroutine to apply it. mode names an epoll-only mode ("" = any backend
// will do): switching it on elsewhere is refused with a way out, on the
// error line. The backend is checked on the loop goroutine, after any
// switch queued before ("backend epoll" then "edge-triggered on" in a
// demo script, or two quick keys).
func (d *Driver) labSwitch(on bool, mode string, flag func(*labEcho) *atomic.Bool, then func(*labEcho)) error {
	if d.lab == nil {
		return errNoLab
	}
	d.post(func() {
		if on && mode != "" && d.loop.Backend() != "epoll" {
			d.report(d.lab.errEpollOnly(mode))
			return
		}
		flag(d.lab).Store(on)
		if then != nil {
			then(d.lab)
		}
	})
	return nil
}

// closeBehindBack is lesson 4's fault: close(2) on a connection's fd while
// the loop still watches it, with no word to the loop. poll hands the
// kernel the stale number on the next call and gets POLLNVAL back (select
// gets EBADF); the connection's handler hears Err, its read fails with
// EBADF, and its Deregister is told the fd was closed first. On epoll the
// kernel simply drops the closed file from its set and says nothing at
// all — lesson 6's business — so there it is refused. It picks the newest
// connection: the learner's nc, if they connected last. Loop goroutine
// only.
func (d *Driver) closeBehindBack() error {
	if d.loop.Backend() == "epoll" {
		return errors.New("close-behind-back: on epoll a closed fd just leaves the kernel's set and nothing is reported (lesson 6 shows when it does not); press b for poll or select first")
	}
	if d.srv == nil {
		return errors.New("close-behind-back: this scenario's server has no connections to close")
	}
	fds := make([]int, 0, 16)
	for _, t := range d.srv.Listener().Conns() {
		if fd := t.Fd(); fd >= 0 {
			fds = append(fds, fd)
		}
	}
	if len(fds) == 0 {
		return errors.New("close-behind-back: no connection to close; press c to add clients")
	}
	unix.Close(slices.Max(fds)) // the mistake, on purpose: the registration is left behind
	return nil
}

// setFDLimit is lesson 7's switch: lower the soft RLIMIT_NOFILE so that
// lowerBy fds are free, or put it back. Loop goroutine only (so no accept
// runs while the table is measured).
func (d *Driver) setFDLimit(on bool) error {
	d.meter.fds = time.Time{} // count the table again at once
	if !on {
		return d.limit.restore()
	}
	_, err := d.limit.lower(lowerBy)
	return err
}
