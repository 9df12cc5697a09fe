package lessons

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The clients of lesson 12's room. An active member reads everything as
// fast as it arrives and types a line now and then; a slow member reads a
// little at a time, like a client on a bad link, with a small receive
// window so the kernel's buffers do not hide its slowness for long.

const (
	slowRead   = 4 << 10                // a slow member reads this much...
	slowEvery  = 250 * time.Millisecond // ...this often: 16 KiB/s
	slowRcvBuf = 4 << 10                // its SO_RCVBUF, set before connecting
)

// roomSession is an active member's life once connected: a reader that
// keeps up with everything, and a line typed every second or so.
func roomSession(ctx context.Context, id int, c net.Conn) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		io.Copy(io.Discard, c)
	}()
	defer func() {
		c.Close()
		<-done
	}()
	for line := 1; ; line++ {
		t := time.NewTimer(typingPace/2 + rand.N(typingPace))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-done:
			t.Stop()
			return
		case <-t.C:
		}
		if _, err := fmt.Fprintf(c, "%s\n", defaultLine(id, line)); err != nil {
			return
		}
	}
}

// addSlow connects n slow members. Like add, it does not wait for them,
// holds them to the cap, and dropAll and close end them.
func (s *clientSet) addSlow(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.batches++
	for range s.admitLocked(n) {
		s.next++
		s.wg.Add(1)
		go s.slowClient(s.next, s.epoch, s.batches)
	}
}

// slowClient is one slow member: it reads slowRead bytes every slowEvery
// until the server or dropAll hangs up.
func (s *clientSet) slowClient(id, epoch, batch int) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		s.alive--
		s.mu.Unlock()
	}()
	d := net.Dialer{Timeout: 5 * time.Second, Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, slowRcvBuf)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	c, err := d.DialContext(s.ctx, "tcp", s.addr)
	if err != nil {
		if s.ctx.Err() == nil {
			s.report(fmt.Errorf("slow member %d: %w", id, err))
		}
		return
	}
	if !s.track(c, epoch, batch) {
		c.Close()
		return
	}
	defer s.untrack(c)
	fmt.Fprintf(c, "slow member %d here: I read %d KiB every %v\n", id, slowRead>>10, slowEvery)
	buf := make([]byte, slowRead)
	tick := time.NewTicker(slowEvery)
	defer tick.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-tick.C:
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			return
		}
	}
}
