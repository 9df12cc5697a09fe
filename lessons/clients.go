package lessons

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/reactorlab/reactorlab/visualizer"
)

// Simulated clients are the other end of real loopback TCP connections.
// They are plain Go net.Conns on their own goroutines: only the server's
// side of each connection lives on the reactor, which is what the lesson
// is about. Each active client times every request to its reply, as a
// user would feel it, and reports it to the latency pane by its group.

// typingPace is the mean gap between two lines an active client types.
const typingPace = time.Second

// typingGroup is the group of the clients the learner adds with c.
const typingGroup = "typing"

// ClientGroup is a kind of simulated client a scenario starts with: each
// group is timed on its own in the latency pane.
type ClientGroup struct {
	Name  string                 // shown in the latency pane ("ping", "report")
	Count int                    // clients of this group at the start
	Every time.Duration          // mean gap between two requests (0 = about a second, as people type)
	Line  func(id, n int) string // the n-th line (from 1) client id sends; nil = the server's usual line
	Once  bool                   // each client sends one line as soon as it connects, reads the reply and hangs up
	// HangUp, with Once, makes each client hang up this long after
	// sending, without waiting for the reply: a user who gave up.
	HangUp time.Duration
	// Burst, with Once, makes each client send this many lines in one
	// write, so the server reads them in one go, and read as many replies,
	// each timed from the write.
	Burst int
}

// errClientsOutOfFds is a dial that found the fd table full: the clients
// live in this process, so they meet its RLIMIT_NOFILE too.
var errClientsOutOfFds = errors.New("simulated clients: socket: too many open files (EMFILE): they share this process's fd table")

// clientSet owns every simulated client of one scenario.
type clientSet struct {
	addr   string
	report func(error)
	line   func(id, n int) string      // the n-th line client id types (from 1); nil = defaultLine
	lat    *visualizer.LatencyRecorder // where clients report their latency; nil = nobody measures
	max    int                         // clients alive at once (Limits.MaxClients); 0 = no cap
	// session replaces typeLines as an active client's life once
	// connected (a scenario whose clients do more than type and read a
	// reply); nil = typeLines.
	session func(ctx context.Context, id int, c net.Conn)

	mu      sync.Mutex
	alive   int              // client goroutines running: dialling, connected or hanging up
	conns   map[net.Conn]int // connected clients and their batch
	next    int              // client number for the text they type
	batches int              // batches started (add, addGroup)
	dropped map[int]bool     // batches hung up by dropBatch
	epoch   int              // bumped by dropAll: clients started before it must go
	closed  bool
	wg      sync.WaitGroup
	ctx     context.Context // cancelled by close(): stops dialling and typing
	cancel  context.CancelFunc
}

func newClientSet(addr string, report func(error)) *clientSet {
	ctx, cancel := context.WithCancel(context.Background())
	return &clientSet{addr: addr, report: report, conns: map[net.Conn]int{}, dropped: map[int]bool{},
		ctx: ctx, cancel: cancel}
}

// add connects n clients, each on its own goroutine: active ones type (in
// the "typing" group), idle ones stay silent. It does not wait for them: a
// paused server still completes handshakes (the kernel queues them on the
// listener's backlog), but a refused one hangs up at once.
func (s *clientSet) add(n int, active bool) {
	if !active {
		s.start(ClientGroup{Count: n}, false)
		return
	}
	s.start(ClientGroup{Name: typingGroup, Count: n}, true)
}

// addGroup connects g.Count clients of group g and returns their batch,
// which dropBatch hangs up.
func (s *clientSet) addGroup(g ClientGroup) int { return s.start(g, true) }

func (s *clientSet) start(g ClientGroup, active bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0
	}
	n := s.admitLocked(g.Count)
	s.batches++
	for range n {
		s.next++
		s.wg.Add(1)
		go s.client(s.next, s.epoch, s.batches, g, active)
	}
	return s.batches
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

// dropBatch hangs up the clients of one batch, those still dialling too.
func (s *clientSet) dropBatch(batch int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropped[batch] = true
	for c, b := range s.conns {
		if b == batch {
			c.Close()
			delete(s.conns, c) // gone now, as dropAll's: the count a demo waits on drops at once
		}
	}
}

// client is one simulated client's whole life.
func (s *clientSet) client(id, epoch, batch int, g ClientGroup, active bool) {
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
		switch {
		case s.ctx.Err() != nil, errors.Is(err, syscall.ECONNRESET):
		case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
			s.report(errClientsOutOfFds) // the same words each time: one line, counted
		default:
			s.report(fmt.Errorf("simulated client %d: %w", id, err))
		}
		return
	}
	if !s.track(c, epoch, batch) {
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
	s.typeLines(id, c, g)
}

// typeLines writes a line at the group's pace and reads the reply back,
// timing each request to its reply.
func (s *clientSet) typeLines(id int, c net.Conn, g ClientGroup) {
	if s.lat != nil {
		defer func() {
			s.lat.Observe(visualizer.LatencyEvent{Kind: visualizer.LatencyGone, Group: g.Name, Client: id, At: time.Now()})
		}()
	}
	every := g.Every
	if every <= 0 {
		every = typingPace
	}
	rd := bufio.NewReader(c)
	for line := 1; ; line++ {
		gap := every/2 + rand.N(every)
		if g.Once {
			if line > 1 {
				return
			}
			gap = 0
		}
		t := time.NewTimer(gap)
		select {
		case <-s.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		var text strings.Builder
		n := max(1, g.Burst)
		for k := range n {
			text.WriteString(s.lineOf(g, id, line+k) + "\n")
		}
		line += n - 1
		sent := time.Now()
		if s.lat != nil {
			s.lat.Observe(visualizer.LatencyEvent{Kind: visualizer.LatencySent, Group: g.Name, Client: id, At: sent})
		}
		if _, err := io.WriteString(c, text.String()); err != nil {
			return
		}
		if g.HangUp > 0 {
			t := time.NewTimer(g.HangUp)
			select {
			case <-s.ctx.Done():
			case <-t.C:
			}
			t.Stop()
			return // untrack closes the connection: the server sees the hang-up
		}
		for range n {
			if _, err := rd.ReadString('\n'); err != nil {
				return // hung up (or dropped); a paused loop just makes us wait
			}
			if s.lat != nil {
				now := time.Now()
				s.lat.Observe(visualizer.LatencyEvent{Kind: visualizer.LatencyReply, Group: g.Name, Client: id, At: now, Dur: now.Sub(sent)})
			}
		}
	}
}

// lineOf is the n-th line (from 1) client id of group g sends.
func (s *clientSet) lineOf(g ClientGroup, id, n int) string {
	switch {
	case g.Line != nil:
		return g.Line(id, n)
	case s.line != nil:
		return s.line(id, n)
	}
	return defaultLine(id, n)
}

// defaultLine is what a simulated client types unless the scenario says
// otherwise.
func defaultLine(id, n int) string { return fmt.Sprintf("client %d, line %d", id, n) }

// track records a connected client; false if it was dropped (or the set
// closed) while it was dialling.
func (s *clientSet) track(c net.Conn, epoch, batch int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || epoch != s.epoch || s.dropped[batch] {
		return false
	}
	s.conns[c] = batch
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
		c.Close() // the client's goroutine sees the error and exits
		delete(s.conns, c)
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

// count is how many clients are connected (dropped ones are not, even
// before their goroutines have noticed), alive, and allowed.
func (s *clientSet) count() visualizer.ClientCount {
	s.mu.Lock()
	defer s.mu.Unlock()
	return visualizer.ClientCount{Connected: len(s.conns), Alive: s.alive, Most: s.max}
}
