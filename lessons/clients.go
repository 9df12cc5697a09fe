package lessons

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"syscall"
	"time"
)

// Simulated clients are the other end of real loopback TCP connections.
// They are plain Go net.Conns on their own goroutines: only the server's
// side of each connection lives on the reactor, which is what the lesson
// is about.

// typingPace is the mean gap between two lines an active client types.
const typingPace = time.Second

// clientSet owns every simulated client of one scenario.
type clientSet struct {
	addr   string
	report func(error)
	line   func(id, n int) string // the n-th line client id types (from 1); nil = defaultLine
	// session replaces typeLines as an active client's life once
	// connected (a scenario whose clients do more than type and read a
	// reply); nil = typeLines.
	session func(ctx context.Context, id int, c net.Conn)
	max     int // clients alive at once (Limits.MaxClients); 0 = no cap

	mu     sync.Mutex
	alive  int // client goroutines running: dialling, connected or hanging up
	conns  map[net.Conn]struct{}
	next   int // client number for the text they type
	epoch  int // bumped by dropAll: clients started before it must go
	closed bool
	wg     sync.WaitGroup
	ctx    context.Context // cancelled by close(): stops dialling and typing
	cancel context.CancelFunc
}

func newClientSet(addr string, report func(error)) *clientSet {
	ctx, cancel := context.WithCancel(context.Background())
	return &clientSet{addr: addr, report: report, conns: map[net.Conn]struct{}{}, ctx: ctx, cancel: cancel}
}

// add connects n clients, each on its own goroutine. It does not wait for
// them: a paused server still completes handshakes (the kernel queues them
// on the listener's backlog), but a refused one hangs up at once.
func (s *clientSet) add(n int, active bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	n = s.admitLocked(n)
	for range n {
		s.next++
		id := s.next
		s.wg.Add(1)
		go s.client(id, s.epoch, active)
	}
}

// admitLocked is how many of n new clients fit under the cap, counted as
// alive; the rest are refused on the error line. s.mu is held.
func (s *clientSet) admitLocked(n int) int {
	if s.max > 0 && s.alive+n > s.max {
		room := max(0, s.max-s.alive)
		s.report(fmt.Errorf("this lab may run at most %d simulated clients at once (each holds two open files), so %d were not added; drop some first (x)",
			s.max, n-room))
		n = room
	}
	s.alive += n
	return n
}

// client is one simulated client's whole life.
func (s *clientSet) client(id, epoch int, active bool) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		s.alive--
		s.mu.Unlock()
	}()
	defer func() {
		if p := recover(); p != nil {
			s.report(fmt.Errorf("simulated client %d crashed: %v", id, p))
		}
	}()
	d := net.Dialer{Timeout: 5 * time.Second}
	c, err := d.DialContext(s.ctx, "tcp", s.addr)
	if err != nil {
		// A reset means the server refused us on purpose (select and
		// fd 1024): it reports that itself, in words a learner can use.
		if s.ctx.Err() == nil && !errors.Is(err, syscall.ECONNRESET) {
			s.report(fmt.Errorf("simulated client %d: %w", id, err))
		}
		return
	}
	if !s.track(c, epoch) {
		c.Close()
		return
	}
	defer s.untrack(c)
	if !active {
		// An idle client only waits: for the server to hang up, or for
		// dropAll to close it.
		var b [512]byte
		for {
			if _, err := c.Read(b[:]); err != nil {
				return
			}
		}
	}
	if s.session != nil {
		s.session(s.ctx, id, c)
		return
	}
	s.typeLines(id, c)
}

// typeLines writes a line at a gentle pace and reads the echo back.
func (s *clientSet) typeLines(id int, c net.Conn) {
	rd := bufio.NewReader(c)
	for line := 1; ; line++ {
		gap := typingPace/2 + rand.N(typingPace)
		t := time.NewTimer(gap)
		select {
		case <-s.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		text := defaultLine(id, line)
		if s.line != nil {
			text = s.line(id, line)
		}
		if _, err := fmt.Fprintf(c, "%s\n", text); err != nil {
			return
		}
		if _, err := rd.ReadString('\n'); err != nil {
			return // hung up (or dropped); a paused loop just makes us wait
		}
	}
}

// defaultLine is what a simulated client types unless the scenario says
// otherwise.
func defaultLine(id, n int) string { return fmt.Sprintf("client %d, line %d", id, n) }

// track records a connected client; false if it was dropped (or the set
// closed) while it was dialling.
func (s *clientSet) track(c net.Conn, epoch int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || epoch != s.epoch {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *clientSet) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

// dropAll closes every client, including those still dialling: they hang
// up as soon as they connect.
func (s *clientSet) dropAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.epoch++
	for c := range s.conns {
		c.Close() // the client's goroutine sees the error, untracks and exits
	}
}

// close drops every client, stops new ones and waits for all goroutines.
func (s *clientSet) close() {
	s.mu.Lock()
	s.closed = true
	s.cancel()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}
