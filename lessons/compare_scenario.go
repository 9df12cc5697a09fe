package lessons

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reactorlab/reactorlab/lessons/internal/syscount"
	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/visualizer"
)

// The scenario of lesson 13 (where Go's own net fits): the reactor's echo
// server and a goroutine-per-connection one on Go's net, each a child
// process (child.go) under the same load from the lab, each counted the
// same way: every syscall of its process, by ptrace, as strace -c counts.
// Once a second the scenario puts the running totals in the trace
// (KindMetric, Text naming the server) and the compare pane divides them
// by the requests answered: syscalls per request, side by side. Idle
// connections (the C key) add memory: the child measures itself after a
// GC, and the growth over its memory with no idle connection, divided by
// the idle connections it holds, is the memory one idle connection costs.
//
// The lab's own loop runs no server in this lesson: it only carries the
// measurements to the screen.

const (
	pingEvery   = 100 * time.Millisecond // each load connection sends a line this often
	initialLoad = 10                     // load connections to each server at the start
	reportEvery = time.Second
	memEvery13  = 2 * time.Second // how often the children measure their memory
	childWait   = 10 * time.Second
)

// comparison is the running pair of servers and their load.
type comparison struct {
	loop *reactor.Loop
	post func(func()) // the driver's, set by attach before measure starts

	mu     sync.Mutex
	report func(error) // the driver's error line once attached; guarded by mu

	servers  []*cmpChild // the reactor first, then Go net
	traceErr error       // why syscalls are not counted, if they are not

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// cmpChild is one server: its process, how to talk to it and its load.
type cmpChild struct {
	name, role string
	addr       string
	counter    *syscount.Counter // nil: not traced
	proc       *os.Process       // the child, when not traced
	exited     chan struct{}
	stdin      *os.File
	replies    chan string // "mem" replies, read from its stdout

	active, idle *clientSet
	requests     atomic.Int64

	// loop of the measuring goroutine only:
	base         childMem // memory with no idle connection
	haveBase     bool
	labels       map[string]string // syscall name → "sys NAME", built once
	lastMem      childMem
	heapPerIdle  int64
	stackPerIdle int64
	haveIdle     bool
}

// startComparison starts both children and returns them as the
// scenario's server; the load and the reports start when the driver
// attaches.
func startComparison(loop *reactor.Loop) (*server, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find the lab's executable to run the servers: %w", err)
	}
	c := &comparison{loop: loop, report: func(error) {}, stop: make(chan struct{}), done: make(chan struct{})}
	for _, s := range []*cmpChild{{name: "reactor", role: childReactor}, {name: "go net", role: childGoNet}} {
		if err := c.startChild(exe, s); err != nil {
			c.shutdown()
			return nil, err
		}
		c.servers = append(c.servers, s)
	}
	return &server{addr: c.servers[0].addr, ext: c, close: func() error { c.shutdown(); return nil },
		attach: func(d *Driver) {
			c.mu.Lock()
			c.report = d.report
			c.mu.Unlock()
			c.post = d.post
			if c.traceErr != nil {
				d.report(fmt.Errorf("syscalls cannot be counted here (%w): the pane shows memory only", c.traceErr))
			}
			for _, s := range c.servers {
				s.active = newClientSet(s.addr, d.report)
				s.active.session = s.ping
				s.idle = newClientSet(s.addr, d.report)
				// Under the scenario's cap (a classroom's share), split four
				// ways: active and idle, to each server. Each client holds
				// one file here; its server's end is in the child.
				s.active.max, s.idle.max = d.clients.max/4, d.clients.max/4
				s.active.add(initialLoad, true)
			}
			go c.measure()
		}}, nil
}

// startChild starts one server, traced if this system lets us, and waits
// for the address it listens on.
func (c *comparison) startChild(exe string, s *cmpChild) error {
	inR, inW, err := os.Pipe()
	if err != nil {
		return err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return err
	}
	defer inR.Close()
	defer outW.Close()
	errR, errW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		outR.Close()
		outW.Close()
		return err
	}
	defer errW.Close()
	go c.relay(s.name, errR)
	env := append(os.Environ(), ChildEnv+"="+s.role, "GOMAXPROCS=1")
	files := []*os.File{inR, outW, errW}
	s.stdin, s.exited, s.replies = inW, make(chan struct{}), make(chan string, 4)
	if c.traceErr == nil {
		s.counter, err = syscount.Start([]string{exe}, env, files)
		if err != nil {
			c.traceErr = err
		}
	}
	if s.counter != nil {
		go func() { <-s.counter.Done(); close(s.exited) }()
	} else {
		s.proc, err = os.StartProcess(exe, []string{exe}, &os.ProcAttr{Env: env, Files: files})
		if err != nil {
			inW.Close()
			outR.Close()
			return fmt.Errorf("start the %s server: %w", s.name, err)
		}
		go func() { s.proc.Wait(); close(s.exited) }()
	}
	addr := make(chan string, 1)
	go func() {
		defer outR.Close()
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			line := sc.Text()
			if a, ok := strings.CutPrefix(line, "addr "); ok {
				addr <- a
				continue
			}
			select {
			case s.replies <- line:
			default: // nobody asked: drop it
			}
		}
	}()
	t := time.NewTimer(childWait)
	defer t.Stop()
	select {
	case s.addr = <-addr:
		return nil
	case <-s.exited:
		return fmt.Errorf("the %s server exited before listening", s.name)
	case <-t.C:
		s.kill()
		return fmt.Errorf("the %s server did not start listening within %v", s.name, childWait)
	}
}

// relay reports what a child writes on its stderr on the lab's error
// line: never on the terminal, which the screen owns.
func (c *comparison) relay(name string, r *os.File) {
	defer r.Close()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		c.mu.Lock()
		report := c.report
		c.mu.Unlock()
		report(fmt.Errorf("%s server: %s", name, sc.Text()))
	}
}

func (s *cmpChild) kill() {
	if s.counter != nil {
		s.counter.Kill()
	} else if s.proc != nil {
		s.proc.Kill()
	}
}

// ping is an active load connection: a line every pingEvery, each reply
// counted as a request answered.
func (s *cmpChild) ping(ctx context.Context, id int, c net.Conn) {
	rd := bufio.NewReader(c)
	t := time.NewTicker(pingEvery)
	defer t.Stop()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := fmt.Fprintf(c, "ping %d %d\n", id, n); err != nil {
			return
		}
		if _, err := rd.ReadString('\n'); err != nil {
			return
		}
		s.requests.Add(1)
	}
}

// addLoad connects n more connections to each server: active ones ping,
// idle ones only stay connected.
func (c *comparison) addLoad(n int, active bool) {
	for _, s := range c.servers {
		if active {
			s.active.add(n, true)
		} else {
			s.idle.add(n, false)
		}
	}
}

// dropLoad hangs up every load connection.
func (c *comparison) dropLoad() {
	for _, s := range c.servers {
		s.active.dropAll()
		s.idle.dropAll()
	}
}

// info is the line above the panes.
func (c *comparison) info() string {
	how := "syscalls counted with ptrace"
	if c.traceErr != nil {
		how = "syscalls not counted here"
	}
	nc := func(addr string) string {
		host, port, _ := net.SplitHostPort(addr)
		return "nc " + host + " " + port
	}
	return fmt.Sprintf("reactor: %s · Go net: %s · child processes, %s", nc(c.servers[0].addr), nc(c.servers[1].addr), how)
}

// measure reports both servers once a second until shutdown.
func (c *comparison) measure() {
	defer close(c.done)
	t := time.NewTicker(reportEvery)
	defer t.Stop()
	var lastMem time.Time
	for {
		select {
		case <-c.stop:
			return
		case now := <-t.C:
			if now.Sub(lastMem) >= memEvery13 {
				lastMem = now
				for _, s := range c.servers {
					s.measureMemory(c.stop)
				}
			}
			var evs []reactor.TraceEvent
			for _, s := range c.servers {
				evs = s.metrics(evs, c.traceErr == nil)
			}
			c.post(func() {
				for _, ev := range evs {
					c.loop.Trace(ev)
				}
			})
		}
	}
}

// measureMemory asks the child to measure itself. With no idle
// connection the answer is the base; with some, the growth over the base
// per idle connection the server holds.
func (s *cmpChild) measureMemory(stop <-chan struct{}) {
	if _, err := fmt.Fprintln(s.stdin, "mem"); err != nil {
		return
	}
	t := time.NewTimer(childWait)
	defer t.Stop()
	var line string
	select {
	case line = <-s.replies:
	case <-s.exited:
		return
	case <-stop:
		return
	case <-t.C:
		return
	}
	m, ok := parseMem(line)
	if !ok {
		return
	}
	s.lastMem = m
	if s.idle.connected() == 0 {
		s.base, s.haveBase, s.haveIdle = m, true, false
		return
	}
	if n := m.conns - s.base.conns; s.haveBase && n > 0 {
		s.heapPerIdle = (m.heap - s.base.heap) / n
		// Stack memory comes and goes in whole spans as the runtime's own
		// threads and goroutines need it: a server that adds no goroutine
		// per connection can read a little less than its base. That is
		// not memory given back by its connections: call it none.
		s.stackPerIdle = max(0, m.stack-s.base.stack) / n
		s.haveIdle = true
	}
}

// metrics appends s's report: running totals and levels.
func (s *cmpChild) metrics(evs []reactor.TraceEvent, counted bool) []reactor.TraceEvent {
	m := func(label string, n int64) {
		evs = append(evs, reactor.TraceEvent{Kind: reactor.KindMetric, Text: s.name, Label: label, N: n})
	}
	if counted && s.counter != nil {
		m(visualizer.MetricCounted, 1)
		counts := s.counter.Counts()
		var eagain uint64
		for _, st := range counts {
			m(s.label(st.Name), int64(st.Calls))
			eagain += st.EAGAIN
		}
		m(visualizer.MetricSyscalls, int64(counts.Total()))
		m(visualizer.MetricEAGAIN, int64(eagain))
	} else {
		m(visualizer.MetricCounted, 0)
	}
	m(visualizer.MetricRequests, s.requests.Load())
	m(visualizer.MetricActiveConns, int64(s.active.connected()))
	m(visualizer.MetricIdleConns, int64(s.idle.connected()))
	if s.lastMem.goroutines > 0 {
		m(visualizer.MetricGoroutines, s.lastMem.goroutines)
	}
	if s.haveIdle {
		m(visualizer.MetricMemPerIdle, s.heapPerIdle+s.stackPerIdle)
		m(visualizer.MetricHeapPerIdle, s.heapPerIdle)
		m(visualizer.MetricStackPerIdle, s.stackPerIdle)
	}
	return evs
}

// label is the metric label of a syscall's count, built once per name.
func (s *cmpChild) label(name string) string {
	l, ok := s.labels[name]
	if !ok {
		if s.labels == nil {
			s.labels = map[string]string{}
		}
		l = visualizer.MetricSyscall + name
		s.labels[name] = l
	}
	return l
}

// shutdown stops the reports and the load and ends both children: their
// stdin closes, they exit; one that does not within childWait is killed.
func (c *comparison) shutdown() {
	c.once.Do(func() {
		close(c.stop)
		if c.post != nil {
			<-c.done
		}
		for _, s := range c.servers {
			if s.active != nil {
				s.active.close()
				s.idle.close()
			}
			s.stdin.Close()
		}
		for _, s := range c.servers {
			t := time.NewTimer(childWait)
			select {
			case <-s.exited:
			case <-t.C:
				s.kill()
				<-s.exited
			}
			t.Stop()
		}
	})
}

// compareLive is the Live of lesson 13: the driver's loop carries the
// measurements, and the client controls load both servers.
type compareLive struct {
	*Driver
	c *comparison
}

// AddClients adds n load connections to each server (visualizer.Live).
func (l compareLive) AddClients(n int, active bool) { l.c.addLoad(n, active) }

// DropClients hangs up every load connection (visualizer.Live).
func (l compareLive) DropClients() { l.c.dropLoad() }

// Info names both servers (visualizer.Live).
func (l compareLive) Info() string { return l.c.info() }

var _ visualizer.Live = compareLive{}

// connected is how many of the set's clients are connected now.
func (s *clientSet) connected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}
