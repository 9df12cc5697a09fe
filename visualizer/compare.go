package visualizer

import (
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/reactorlab/reactorlab/reactor"
)

// compare sets servers side by side under the same load (lesson 13: the
// reactor's echo server and a goroutine-per-connection one on Go's net):
// syscalls per request, by name, over the last few seconds, and memory
// per idle connection. It draws what the scenario measures and reports as
// KindMetric events, Text naming the server, Label the measure: running
// totals (requests, syscalls, each syscall by name as "sys NAME") and
// levels (connections, memory, goroutines). Rates come from the
// difference between two reports, so a lost event costs a little
// precision, never a wrong total.
type compare struct {
	w, h    int
	now     time.Time
	servers []*cmpServer // in the order they first reported
}

// The measures the compare pane reads, as KindMetric labels; a syscall's
// count is MetricSyscall + its name ("sys read").
const (
	MetricRequests     = "requests"     // replies the load clients received, running total
	MetricSyscalls     = "syscalls"     // every syscall counted, running total
	MetricSyscall      = "sys "         // prefix: "sys read" is read's running total
	MetricEAGAIN       = "EAGAIN"       // syscalls that returned EAGAIN, running total
	MetricActiveConns  = "conns-active" // load connections sending requests now
	MetricIdleConns    = "conns-idle"   // connections open and silent now
	MetricMemPerIdle   = "mem/idle"     // bytes of Go heap and stacks per idle connection
	MetricHeapPerIdle  = "heap/idle"    // of which live heap objects
	MetricStackPerIdle = "stack/idle"   // of which goroutine stacks
	MetricGoroutines   = "goroutines"   // goroutines in the server's process
	MetricCounted      = "counted"      // 1: syscalls are counted; 0: they cannot be here
)

type cmpServer struct {
	name   string
	cur    map[string]int64 // latest value of every measure
	hist   []cmpSnap        // reports, oldest first, bounded
	counts bool             // syscalls are counted
}

// cmpSnap is one report's running totals, for rates.
type cmpSnap struct {
	at   time.Time
	vals map[string]int64
}

const (
	cmpWindow = 5 * time.Second // rates are over about this much
	cmpKeep   = 32              // reports kept per server
	cmpMaxSrv = 4
)

func newCompare() *compare { return &compare{} }

func (p *compare) Title() string    { return "Go net vs reactor (same load)" }
func (p *compare) MinHeight() int   { return 6 }
func (p *compare) SetSize(w, h int) { p.w, p.h = w, h }

func (p *compare) server(name string) *cmpServer {
	for _, s := range p.servers {
		if s.name == name {
			return s
		}
	}
	if len(p.servers) >= cmpMaxSrv {
		return nil
	}
	s := &cmpServer{name: name, cur: map[string]int64{}}
	p.servers = append(p.servers, s)
	return s
}

// Update folds the metrics of one frame; each server that reported gets a
// snapshot of its running totals.
func (p *compare) Update(msg tea.Msg) tea.Cmd {
	f, ok := msg.(*frameMsg)
	if !ok {
		return nil
	}
	p.now = f.Now
	var touched []*cmpServer
	for i := range f.Events {
		ev := &f.Events[i]
		if ev.Kind != reactor.KindMetric || ev.Text == "" {
			continue
		}
		s := p.server(ev.Text)
		if s == nil {
			continue
		}
		s.cur[ev.Label] = ev.N
		if ev.Label == MetricCounted {
			s.counts = ev.N != 0
		}
		if !slices.Contains(touched, s) {
			touched = append(touched, s)
		}
	}
	for _, s := range touched {
		if len(s.hist) >= cmpKeep {
			s.hist = slices.Delete(s.hist, 0, 1)
		}
		snap := cmpSnap{at: f.Now, vals: make(map[string]int64, len(s.cur))}
		for k, v := range s.cur {
			snap.vals[k] = v
		}
		s.hist = append(s.hist, snap)
	}
	return nil
}

// window returns the newest report and the oldest one within cmpWindow of
// it (ok false with fewer than two).
func (s *cmpServer) window() (old, cur cmpSnap, ok bool) {
	if len(s.hist) < 2 {
		return cmpSnap{}, cmpSnap{}, false
	}
	cur = s.hist[len(s.hist)-1]
	old = s.hist[len(s.hist)-2]
	for i := len(s.hist) - 2; i >= 0; i-- {
		if cur.at.Sub(s.hist[i].at) > cmpWindow {
			break
		}
		old = s.hist[i]
	}
	return old, cur, true
}

// perRequest is measure's increase per request answered in the window;
// ok false when no request was answered.
func (s *cmpServer) perRequest(measure string) (float64, bool) {
	old, cur, ok := s.window()
	if !ok {
		return 0, false
	}
	reqs := cur.vals[MetricRequests] - old.vals[MetricRequests]
	if reqs <= 0 {
		return 0, false
	}
	return float64(cur.vals[measure]-old.vals[measure]) / float64(reqs), true
}

// runtimeSyscalls are the calls a Go program's runtime makes on its own
// (its monitor thread, threads waking and parking, signals, memory),
// whatever the program's code does.
var runtimeSyscalls = map[string]bool{
	"futex": true, "nanosleep": true, "clock_nanosleep": true, "sched_yield": true, "rt_sigreturn": true,
	"rt_sigprocmask": true, "rt_sigaction": true, "sigaltstack": true, "tgkill": true, "getpid": true,
	"gettid": true, "madvise": true, "mmap": true, "munmap": true, "mprotect": true, "clone": true,
	"clone3": true, "sched_getaffinity": true, "exit": true,
}

// runtimePerRequest sums the Go runtime's own syscalls per request.
func (s *cmpServer) runtimePerRequest() (float64, bool) {
	var sum float64
	for k := range s.cur {
		if name, ok := strings.CutPrefix(k, MetricSyscall); ok && runtimeSyscalls[name] {
			v, ok := s.perRequest(k)
			if !ok {
				return 0, false
			}
			sum += v
		}
	}
	_, ok := s.perRequest(MetricRequests)
	return sum, ok
}

// perSecond is measure's rate over the window.
func (s *cmpServer) perSecond(measure string) float64 {
	old, cur, ok := s.window()
	if !ok {
		return 0
	}
	dt := cur.at.Sub(old.at).Seconds()
	if dt <= 0 {
		return 0
	}
	return float64(cur.vals[measure]-old.vals[measure]) / dt
}

// View: one column per server, one row per measure; the syscalls that
// happened in the window, most frequent first, as many as fit.
func (p *compare) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	if len(p.servers) == 0 {
		return frameLines([]string{"waiting for the first measurements…"}, p.w, p.h)
	}
	colW := min(24, max(10, (p.w-18)/len(p.servers)))
	labW := max(12, p.w-colW*len(p.servers))
	row := func(label string, cell func(s *cmpServer) string) string {
		var b strings.Builder
		b.WriteString(fit(label, labW))
		for _, s := range p.servers {
			b.WriteString(padLeft(cell(s), colW-1) + " ")
		}
		return b.String()
	}
	per := func(measure string) func(s *cmpServer) string {
		return func(s *cmpServer) string {
			if !s.counts && (measure == MetricSyscalls || measure == MetricEAGAIN || strings.HasPrefix(measure, MetricSyscall)) {
				return "n/a"
			}
			v, ok := s.perRequest(measure)
			if !ok {
				return "—"
			}
			return strconv.FormatFloat(v, 'f', 2, 64)
		}
	}
	level := func(measure string, format func(int64) string) func(s *cmpServer) string {
		return func(s *cmpServer) string {
			v, ok := s.cur[measure]
			if !ok {
				return "—"
			}
			return format(v)
		}
	}
	count := func(v int64) string { return fmtCount(float64(v)) }
	bytes := func(v int64) string { return fmtBytes(v) }
	runtimeShare := func(s *cmpServer) string {
		if !s.counts {
			return "n/a"
		}
		v, ok := s.runtimePerRequest()
		if !ok {
			return "—"
		}
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	lines := []string{
		styleHeader.Render(row("", func(s *cmpServer) string { return s.name })),
		row("conns: load + idle", func(s *cmpServer) string {
			return count(s.cur[MetricActiveConns]) + " + " + count(s.cur[MetricIdleConns])
		}),
		row("requests/s", func(s *cmpServer) string { return fmtCount(s.perSecond(MetricRequests)) }),
		row("syscalls/request", per(MetricSyscalls)),
		row("  Go runtime's", runtimeShare),
	}
	tail := []string{
		row("  EAGAIN/request", per(MetricEAGAIN)),
		row("memory/idle conn", level(MetricMemPerIdle, bytes)),
		row("  heap", level(MetricHeapPerIdle, bytes)),
		row("  stacks", level(MetricStackPerIdle, bytes)),
		row("goroutines", level(MetricGoroutines, count)),
	}
	names := p.syscallNames()
	room := p.h - len(lines) - len(tail)
	for i, n := range names {
		if i >= room {
			break
		}
		lines = append(lines, row("  "+n, per(MetricSyscall+n)))
	}
	lines = append(lines, tail...)
	return frameLines(lines, p.w, p.h)
}

// syscallNames are the syscalls any server made in its window, by the
// most calls per request any of them made.
func (p *compare) syscallNames() []string {
	weight := map[string]float64{}
	for _, s := range p.servers {
		old, cur, ok := s.window()
		if !ok {
			continue
		}
		reqs := max(1, cur.vals[MetricRequests]-old.vals[MetricRequests])
		for k, v := range cur.vals {
			name, isSys := strings.CutPrefix(k, MetricSyscall)
			if !isSys {
				continue
			}
			if d := float64(v-old.vals[k]) / float64(reqs); d > 0 {
				weight[name] = max(weight[name], d)
			}
		}
	}
	names := make([]string, 0, len(weight))
	for n := range weight {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int {
		if weight[a] != weight[b] {
			if weight[a] > weight[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	return names
}
