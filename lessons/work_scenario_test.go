package lessons

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/visualizer"
)

// workClient is a loopback client of the work server.
type workClient struct {
	t  *testing.T
	c  net.Conn
	rd *bufio.Reader
}

func dialWork(t *testing.T, d *Driver) *workClient {
	t.Helper()
	c, err := net.Dial("tcp", d.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return &workClient{t: t, c: c, rd: bufio.NewReader(c)}
}

// ask sends lines and returns one reply per line.
func (w *workClient) ask(lines ...string) []string {
	w.t.Helper()
	if _, err := w.c.Write([]byte(strings.Join(lines, "\n") + "\n")); err != nil {
		w.t.Fatal(err)
	}
	var out []string
	for range lines {
		line, err := w.rd.ReadString('\n')
		if err != nil {
			w.t.Fatalf("reading the replies to %q after %q: %v", lines, out, err)
		}
		out = append(out, strings.TrimSpace(line))
	}
	return out
}

// setNestedWait shortens how long nested reports wait, on the loop
// goroutine, which hands it to the pool's workers with each job.
func setNestedWait(d *Driver, wait time.Duration) {
	d.post(func() { d.work.nestedWait = wait })
	d.sync()
}

// longStalls drains sub and returns the stalls of at least d it saw.
func longStalls(sub visualizer.TraceSource, d time.Duration) []reactor.TraceEvent {
	var out []reactor.TraceEvent
	for _, ev := range sub.Drain(nil) {
		if ev.Kind == reactor.KindStall && ev.Dur >= d {
			out = append(out, ev)
		}
	}
	return out
}

// A report's query blocks the loop when it runs in the handler, and just
// as much when it is wrapped in a Deferred; on the pool it does not, and
// the pool's events say which worker ran it. The answer is the same.
func TestWorkReportModes(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "poll", Server: Work})
	sub := d.Subscribe(1 << 14)
	defer sub.Close()
	c := dialWork(t, d)
	if got := c.ask("ping 1"); got[0] != "ping 1" {
		t.Fatalf("ping 1 answered %q; want it echoed", got[0])
	}
	tests := []struct {
		name  string
		mode  reportMode
		stall bool
	}{
		{"inline", reportInline, true},
		{"wrapped in a Deferred", reportWrapped, true},
		{"offloaded", reportOffloaded, false},
	}
	for _, tt := range tests {
		d.work.mode.Store(int32(tt.mode))
		longStalls(sub, 0) // forget what came before
		if got := c.ask("report 7"); got[0] != "report 7: 17 rows" {
			t.Errorf("%s: report 7 answered %q; want %q", tt.name, got[0], "report 7: 17 rows")
		}
		d.sync() // runs in the pass that wrote the answer, or a later one,
		d.sync() // and this in the pass after it: its events are out
		stalls := longStalls(sub, reportTakes)
		if got := len(stalls) > 0; got != tt.stall {
			t.Errorf("%s: the loop stalled for %v or more: %v (%v); want %v", tt.name, reportTakes, got, stalls, tt.stall)
		}
		for _, st := range stalls {
			if !strings.HasPrefix(st.Label, string(Work)+" ") {
				t.Errorf("%s: stall blamed on %q; want the client's connection (%q...)", tt.name, st.Label, string(Work)+" ")
			}
		}
	}
	var ran bool
	for _, ev := range d.pool.Drain(nil) {
		if ev.Kind == deferred.PoolStarted && ev.Label == "report 7" && ev.Worker >= 1 {
			ran = true
		}
	}
	if !ran {
		t.Errorf("no pool event shows report 7 starting on a worker")
	}
}

// One nested report works: its job waits for a sub-query that another
// worker runs. As many as the pool has workers wedge it: each waits for a
// sub-query queued behind the others, until they give up. The loop stays
// free all along.
func TestWorkNestedTrap(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "poll", Server: Work})
	setNestedWait(d, 500*time.Millisecond)
	c := dialWork(t, d)
	if got := c.ask("nested 1"); got[0] != "report 1: 11 rows" {
		t.Fatalf("a nested report alone answered %q; want %q", got[0], "report 1: 11 rows")
	}
	d.pool.Drain(nil)
	lines := make([]string, nestedJobs)
	for i := range lines {
		lines[i] = "nested " + strconv.Itoa(i+2)
	}
	got := c.ask(lines...)
	for i, r := range got {
		if !strings.HasPrefix(r, "sorry: "+errWedged.Error()) {
			t.Errorf("nested %d answered %q; want the wedged pool's apology", i+2, r)
		}
	}
	// Each sub-query is dropped: taken off the queue, or, if a worker
	// freed by a job giving up took it first, its late result.
	wedged, dropped := false, 0
	waitFor(t, "every sub-query dropped", func() bool {
		for _, ev := range d.pool.Drain(nil) {
			if ev.Stats.Busy == poolWorkers && ev.Stats.Queued >= 1 && strings.HasPrefix(ev.Label, "sub-query") {
				wedged = true
			}
			if ev.Kind == deferred.PoolDropped && strings.HasPrefix(ev.Label, "sub-query") {
				dropped++
			}
		}
		return dropped == nestedJobs
	})
	if !wedged {
		t.Errorf("the pool never had every worker busy with sub-queries queued")
	}
	if got := c.ask("ping 2"); got[0] != "ping 2" {
		t.Errorf("ping 2 after the trap answered %q; want it echoed", got[0])
	}
}

// A client that hangs up while its reports wait in the pool's queue takes
// them out of it.
func TestWorkHangUpUnqueues(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "poll", Server: Work})
	d.work.mode.Store(int32(reportOffloaded))
	c := dialWork(t, d)
	lines := make([]string, 3*poolWorkers)
	for i := range lines {
		lines[i] = "report " + strconv.Itoa(i)
	}
	if _, err := c.c.Write([]byte(strings.Join(lines, "\n") + "\n")); err != nil {
		t.Fatal(err)
	}
	var queued bool
	waitFor(t, "reports queued", func() bool {
		for _, ev := range d.pool.Drain(nil) {
			queued = queued || ev.Stats.Queued > 0
		}
		return queued
	})
	c.c.Close()
	waitFor(t, "queued reports dropped", func() bool {
		for _, ev := range d.pool.Drain(nil) {
			if ev.Kind == deferred.PoolDropped {
				return true
			}
		}
		return false
	})
}
