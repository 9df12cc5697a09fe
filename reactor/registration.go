package reactor

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Registration is the handle Register returns, and the only way to change
// or end that registration. It remembers the fd and the generation the
// loop gave this registration; once the registration has ended, every
// method reports ErrNotRegistered, even after the fd number has been
// reused by a newer registration. A stale copy kept in an old closure
// therefore cannot change or remove the registration of the fd's next
// owner (the bug the Go runtime's fdseq and libuv's batch invalidation
// exist for).
//
// Its methods must be called on the loop goroutine. The zero Registration
// is not registered.
type Registration struct {
	l   *Loop
	fd  int
	gen uint32
}

// Register starts watching fd for in and calls h on the loop goroutine
// when it is ready. label names the registration on screen and in stall
// reports. The fd must already be non-blocking. Keep the Registration: it
// is how the registration is changed (Modify) and ended (Close, or
// Deregister then close(2) — in that order).
//
// in may be 0: the fd is then registered but parked, out of the kernel's
// set, until Modify asks for something (see Registration.Modify).
func (l *Loop) Register(fd int, in Interest, label string, h Handler) (Registration, error) {
	if l.closed {
		return Registration{}, ErrStopped
	}
	if fd < 0 {
		return Registration{}, os.NewSyscallError("register", unix.EBADF)
	}
	if fd == l.wakeFd {
		return Registration{}, fmt.Errorf("fd %d (the loop's waker): %w", fd, ErrAlreadyRegistered)
	}
	for fd >= len(l.slots) {
		l.slots = append(l.slots, make([]slot, len(l.slots)+64)...)
	}
	if s := &l.slots[fd]; s.live {
		return Registration{}, fmt.Errorf("fd %d (%s): %w", fd, s.label, ErrAlreadyRegistered)
	}
	gen := l.nextGen
	l.nextGen++
	if l.nextGen == 0 {
		l.nextGen = 1 // generation 0 belongs to the waker
	}
	var err error
	if parked(in) {
		err = checkParked(l.poller, fd, in)
	} else {
		l.counters.ctl.Add(1)
		err = l.poller.Register(fd, MakeToken(fd, gen), in)
	}
	if err != nil {
		err = fmt.Errorf("fd %d: %w", fd, err)
		if l.Tracing() {
			l.emit(&TraceEvent{Kind: KindError, Fd: int32(fd), Label: label, Text: err.Error(), Backend: l.poller.Name()})
		}
		return Registration{}, err
	}
	l.slots[fd] = slot{h: h, label: label, in: in, gen: gen, live: true, touched: l.batch}
	if !parked(in) {
		l.watched.Add(1)
	}
	if l.Tracing() {
		l.emit(&TraceEvent{Kind: KindRegister, Fd: int32(fd), Interest: in, Label: label})
	}
	return Registration{l: l, fd: fd, gen: gen}, nil
}

// parked reports whether in asks the kernel for nothing.
func parked(in Interest) bool { return in&(Readable|Writable) == 0 }

// checkParked asks a backend that keeps its set in user space whether it
// could watch fd for in later (select and fd >= 1024, select/poll and
// edge-triggered), so a parked registration fails now, not when it is
// unparked.
func checkParked(p Poller, fd int, in Interest) error {
	if c, ok := p.(interface{ check(int, Interest) error }); ok {
		return c.check(fd, in)
	}
	return nil
}

// slot returns the registration's slot while it is live.
func (r Registration) slot() (*slot, error) {
	if r.l == nil || r.fd >= len(r.l.slots) {
		return nil, ErrNotRegistered
	}
	s := &r.l.slots[r.fd]
	if !s.live || s.gen != r.gen {
		return nil, ErrNotRegistered
	}
	return s, nil
}

// Fd returns the registered fd, or -1 once the registration has ended.
func (r Registration) Fd() int {
	if _, err := r.slot(); err != nil {
		return -1
	}
	return r.fd
}

// Active reports whether the registration is still in force.
func (r Registration) Active() bool {
	_, err := r.slot()
	return err == nil
}

// Modify changes what the fd waits for. Nothing reaches the kernel when
// the interest is unchanged (except to re-arm a one-shot registration).
//
// Interest 0 parks the fd: it stays registered — same Registration, same
// handler, same label — but leaves the kernel's set, so nothing at all is
// reported for it. That matters because the kernel reports hang-up and
// error whatever the interest: an fd left in epoll or poll with interest 0
// after a reset would wake every wait, and a level-triggered loop would
// call its handler on every pass. Hang-up and error are delivered to an
// fd watched for anything; a parked fd hears nothing until Modify asks
// again.
func (r Registration) Modify(in Interest) error {
	l := r.l
	if l != nil && l.closed {
		return ErrStopped
	}
	s, err := r.slot()
	if err != nil {
		return err
	}
	if s.in == in && in&OneShot == 0 {
		return nil
	}
	fd, tok := r.fd, MakeToken(r.fd, r.gen)
	switch was := parked(s.in); {
	case was && parked(in):
		err = checkParked(l.poller, fd, in)
	case was:
		l.counters.ctl.Add(1)
		if err = l.poller.Register(fd, tok, in); err == nil {
			l.watched.Add(1)
		}
	case parked(in):
		l.counters.ctl.Add(1)
		err = l.poller.Deregister(fd)
		l.watched.Add(-1)
		s.in = in
		s.touched = l.batch // events for it may still be in this batch
	default:
		l.counters.ctl.Add(1)
		err = l.poller.Modify(fd, tok, in)
	}
	if err != nil {
		if errors.Is(err, ErrClosedWhileRegistered) {
			// It left the set, but the fd was already closed: end the
			// registration, as Deregister would have.
			r.end(s)
		}
		return fmt.Errorf("fd %d (%s): %w", fd, s.label, err)
	}
	s.in = in
	if l.Tracing() {
		l.emit(&TraceEvent{Kind: KindModify, Fd: int32(fd), Interest: in, Label: s.label})
	}
	return nil
}

// Deregister stops watching the fd and ends the registration. It is safe
// inside a handler: an event for it still pending in the current batch is
// dropped (and traced as stale). Deregister before you close the fd — or
// call Close, which does both in that order. Deregistering an fd that was
// already closed returns an error wrapping ErrClosedWhileRegistered: on
// epoll, with a dup of the fd open elsewhere, the kernel would go on
// reporting it (the loop notices those reports and rebuilds its epoll set;
// see doc.go, "Deregister before close").
func (r Registration) Deregister() error {
	s, err := r.slot()
	if err != nil {
		return err
	}
	l := r.l
	wasParked := parked(s.in)
	r.end(s)
	if wasParked || l.closed {
		return nil // nothing in a kernel set (a closed loop has none)
	}
	l.counters.ctl.Add(1)
	if err := l.poller.Deregister(r.fd); err != nil {
		err = fmt.Errorf("deregister fd %d (%s): %w", r.fd, s.label, err)
		if l.Tracing() {
			l.emit(&TraceEvent{Kind: KindError, Fd: int32(r.fd), Label: s.label, Text: err.Error()})
		}
		return err
	}
	return nil
}

// end ends the registration in user space (the caller deals with the
// kernel's set).
func (r Registration) end(s *slot) {
	l := r.l
	if !parked(s.in) {
		l.watched.Add(-1)
	}
	s.live = false
	s.h = nil
	s.in = 0
	s.touched = l.batch
	if l.Tracing() {
		l.emit(&TraceEvent{Kind: KindDeregister, Fd: int32(r.fd), Label: s.label})
	}
}

// Close deregisters the fd and then closes it: the order that never
// leaves the kernel watching a closed fd. Use it wherever a registered fd
// is closed. It returns ErrNotRegistered, and closes nothing, if the
// registration had already ended; and if the fd turns out to have been
// closed already (ErrClosedWhileRegistered) it does not close the number
// again, which may belong to someone else by now.
func (r Registration) Close() error {
	if _, err := r.slot(); err != nil {
		return err
	}
	err := r.Deregister()
	if errors.Is(err, ErrClosedWhileRegistered) {
		return err
	}
	if cerr := unix.Close(r.fd); cerr != nil && err == nil {
		err = os.NewSyscallError("close", cerr)
	}
	return err
}

// Label returns the label fd was registered with ("" if none).
func (l *Loop) Label(fd int) string {
	if fd < 0 || fd >= len(l.slots) || !l.slots[fd].live {
		return ""
	}
	return l.slots[fd].label
}

// WatchInfo describes one registration, for snapshots.
type WatchInfo struct {
	Fd       int
	Label    string
	Interest Interest // 0 = parked
}

// Watched lists the live registrations in fd order, parked ones included.
func (l *Loop) Watched() []WatchInfo {
	var out []WatchInfo
	for fd := range l.slots {
		if s := &l.slots[fd]; s.live {
			out = append(out, WatchInfo{Fd: fd, Label: s.label, Interest: s.in})
		}
	}
	return out
}

// SwitchBackend replaces the poller between two passes, carrying every
// registration (token, interest) over. If the new backend refuses one of
// them (select and an fd >= 1024, poll and an edge-triggered fd) the old
// backend stays and the error says why.
func (l *Loop) SwitchBackend(name string) error {
	if l.closed {
		return ErrStopped
	}
	old := l.poller.Name()
	if name == "" {
		name = DefaultBackend()
	}
	if name == old {
		return nil
	}
	p, err := l.cfg.newPoller(name)
	if err != nil {
		return err
	}
	if fd, label, err := l.fill(p, false); err != nil {
		p.Close()
		err = fmt.Errorf("switch to %s: fd %d (%s): %w", name, fd, label, err)
		if l.Tracing() {
			l.emit(&TraceEvent{Kind: KindError, Fd: int32(fd), Label: label, Text: err.Error(), Backend: old})
		}
		return err
	}
	err = l.swapPoller(p)
	if l.Tracing() {
		l.emit(&TraceEvent{Kind: KindBackendSwitched, Backend: name, Text: old, N: l.watched.Load()})
	}
	return err
}

// fill registers the waker and every live registration with p. With
// dropClosed, a registration whose fd turns out to be closed is ended
// instead of failing the whole fill (used when rebuilding after the dup
// trap). It returns the fd and label of the registration p refused.
func (l *Loop) fill(p Poller, dropClosed bool) (int, string, error) {
	if err := p.Register(l.wakeFd, MakeToken(l.wakeFd, 0), Readable); err != nil {
		return l.wakeFd, "waker", err
	}
	for fd := range l.slots {
		s := &l.slots[fd]
		if !s.live {
			continue
		}
		if parked(s.in) {
			if err := checkParked(p, fd, s.in); err != nil {
				return fd, s.label, err
			}
			continue
		}
		l.counters.ctl.Add(1)
		err := p.Register(fd, MakeToken(fd, s.gen), s.in)
		if err != nil && dropClosed && errors.Is(err, unix.EBADF) {
			Registration{l: l, fd: fd, gen: s.gen}.end(s)
			l.report(fd, s.label, "fd %d was closed while registered: the loop stopped watching it (deregister before close)", fd)
			continue
		}
		if err != nil {
			return fd, s.label, err
		}
	}
	return 0, "", nil
}

// swapPoller makes p the loop's poller and closes the old one.
func (l *Loop) swapPoller(p Poller) error {
	oldP := l.poller
	l.poller = p
	name := p.Name()
	l.backend.Store(&name)
	return oldP.Close()
}

// rebuildPoller replaces the poller with a fresh one of the same backend.
// The loop calls it when the kernel reported an fd it does not know: on
// epoll that is an fd closed while registered whose open file lives on in
// a dup (epoll watches the file, not the number, and an EPOLL_CTL_DEL on
// the closed number cannot reach it). A new epoll instance holds only the
// registrations the loop knows about.
func (l *Loop) rebuildPoller() {
	name := l.poller.Name()
	if _, ok := LookupBackend(name); !ok {
		return
	}
	p, err := l.cfg.newPoller(name)
	if err != nil {
		l.report(-1, "", "rebuilding the %s set failed: %v", name, err)
		return
	}
	if fd, label, err := l.fill(p, true); err != nil {
		p.Close()
		l.report(fd, label, "rebuilding the %s set failed at fd %d: %v", name, fd, err)
		return
	}
	if err := l.swapPoller(p); err != nil {
		l.report(-1, "", "closing the old %s set: %v", name, err)
	}
}

// report records an error nobody called for: in the trace and ErrorLog.
func (l *Loop) report(fd int, label, format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	l.logf("reactor: %s\n", text)
	if l.Tracing() {
		l.emit(&TraceEvent{Kind: KindError, Fd: int32(fd), Label: label, Text: text})
	}
}
