package lessons

import (
	"bufio"
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/visualizer"
)

// driverOf unwraps the Driver behind a lesson's Live.
func driverOf(t *testing.T, live visualizer.Live) *Driver {
	t.Helper()
	switch l := live.(type) {
	case *Driver:
		return l
	case chainLive:
		return l.Driver
	case compareLive:
		return l.Driver
	case poolLive:
		return l.Driver
	}
	t.Fatalf("Live is a %T; want *Driver, chainLive, compareLive or poolLive", live)
	return nil
}

// chainFacts is what the chain recorder saw of one Deferred.
type chainFacts struct {
	label           string
	toErrback       bool // a callback step moved the result to the errback track
	backToCallback  bool // later, an errback step moved it back
	waited, resumed bool // it paused on another Deferred and resumed
}

func foldChains(evs []deferred.TraceEvent, into map[uint64]*chainFacts) {
	for _, ev := range evs {
		f := into[ev.ID]
		if f == nil {
			f = &chainFacts{}
			into[ev.ID] = f
		}
		if ev.Label != "" {
			f.label = ev.Label
		}
		switch ev.Kind {
		case deferred.EventStepRun:
			if ev.StepKind == deferred.StepCallback && ev.TrackIn == deferred.TrackCallback && ev.TrackOut == deferred.TrackErrback {
				f.toErrback = true
			}
			if f.toErrback && ev.StepKind == deferred.StepErrback && ev.TrackIn == deferred.TrackErrback && ev.TrackOut == deferred.TrackCallback {
				f.backToCallback = true
			}
		case deferred.EventPaused:
			f.waited = f.waited || ev.WaitingOn != 0
		case deferred.EventResumed:
			f.resumed = f.resumed || ev.WaitingOn != 0
		}
	}
}

// TestLookupScenarioChains runs lesson 3's server on a real reactor, sends
// it a good line and a bad one over loopback, and checks what the chain
// pane is fed: the bad line's chain went to the errback track and came
// back, the good line's chain waited on the lookup's Deferred.
func TestLookupScenarioChains(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "poll", Server: Lookup})
	if d.chains == nil {
		t.Fatal("lookup scenario: Driver.chains = nil; want a recorder for the chain pane")
	}
	c, err := net.Dial("tcp", d.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("user 41\nusr 42\n")); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	rd := bufio.NewReader(c)
	var replies []string
	for range 2 {
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatalf("reading replies after %q: %v", replies, err)
		}
		replies = append(replies, strings.TrimSpace(line))
	}
	// The bad line is answered at once, the good one after its lookup; the
	// order is not what this test is about.
	slices.Sort(replies)
	wants := []string{"hello, " + userName(41) + " (user 41)", "sorry, bad input: usr 42; try: user 42"}
	if !slices.Equal(replies, wants) {
		t.Errorf("replies = %q; want %q", replies, wants)
	}

	facts := map[uint64]*chainFacts{}
	foldChains(d.chains.Drain(nil), facts)
	var bad, good *chainFacts
	for _, f := range facts {
		switch f.label {
		case "usr 42":
			bad = f
		case "user 41":
			good = f
		}
	}
	if bad == nil || !bad.toErrback || !bad.backToCallback {
		t.Errorf(`chain "usr 42": %+v; want it to move to the errback track and back`, bad)
	}
	if good == nil || !good.waited || !good.resumed || good.toErrback {
		t.Errorf(`chain "user 41": %+v; want it to wait on the lookup, resume, and stay on the callback track`, good)
	}
}

// fakeReplier stands in for the transport.
type fakeReplier struct {
	got    []string
	closed bool
}

func (r *fakeReplier) Write(p []byte) (int, error) {
	r.got = append(r.got, strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

func (r *fakeReplier) Connected() bool { return !r.closed }

// TestLookupChainOnFakeClock follows each kind of line through the chain
// with time under the test's control.
func TestLookupChainOnFakeClock(t *testing.T) {
	tests := []struct {
		name      string
		line      string
		advance   time.Duration
		lost      bool // the client hangs up before the answer
		wantEarly int  // replies before time moves
		want      []string
	}{
		{"good", "user 41", lookupDelay(41), false, 0, []string{"hello, " + userName(41) + " (user 41)"}},
		{"bad", "usr 42", 0, false, 1, []string{"sorry, bad input: usr 42; try: user 42"}},
		{"negative", "user -7", 0, false, 1, []string{"sorry, bad input: user -7; try: user 42"}},
		{"slow", "user 40", lookupTimeout, false, 0, []string{"sorry, the lookup took too long (deferred: timed out after 1s)"}},
		{"hung up", "user 43", 0, true, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := deferred.NewFakeClock(time.Unix(0, 0))
			s := newLookupServer(clock)
			r := &fakeReplier{}
			c := s.newConn(r)
			c.handle(tt.line)
			if got := len(r.got); got != tt.wantEarly {
				t.Fatalf("replies before time moved = %q; want %d", r.got, tt.wantEarly)
			}
			if tt.lost {
				r.closed = true
				c.ConnectionLost(nil)
			}
			clock.Advance(tt.advance)
			if strings.Join(r.got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("replies = %q; want %q", r.got, tt.want)
			}
			if n := len(c.pending); n != 0 {
				t.Errorf("chains still pending = %d; want 0", n)
			}
			if n := clock.Pending(); n != 0 {
				t.Errorf("timers left on the clock = %d; want 0 (lookup and timeout both settled)", n)
			}
		})
	}
}

// TestLookupLineMix checks the simulated clients type good lines, bad
// lines and slow lookups, so both tracks and the timeout all show.
func TestLookupLineMix(t *testing.T) {
	var good, bad, slow int
	for id := 1; id <= 3; id++ {
		for n := 1; n <= 20; n++ {
			v, err := parseRequest(lookupLine(id, n))
			switch {
			case err != nil:
				bad++
			case lookupDelay(v.(int)) > lookupTimeout:
				slow++
			default:
				good++
			}
		}
	}
	if good < bad || bad == 0 || slow == 0 {
		t.Errorf("60 lines: %d good, %d bad, %d slow; want mostly good and some of each", good, bad, slow)
	}
}

// TestLookupRestartKeepsUnhandledReports: leaving lesson 3 and opening it
// again starts the new scenario while the old one may still be closing.
// The new scenario must still own the process-wide unhandled-failure
// binding once the old one is gone, so a Failure left at the end of one of
// its chains reaches its trace (and the screen) instead of stderr.
func TestLookupRestartKeepsUnhandledReports(t *testing.T) {
	checkNoLeaks(t)
	sc := Scenario{Backend: "poll", Server: Lookup}
	old, err := Start(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	type started struct {
		d   *Driver
		err error
	}
	next := make(chan started, 1)
	go func() {
		d, err := Start(context.Background(), sc)
		next <- started{d, err}
	}()
	// Close the old scenario only once the new one has either started or
	// is waiting for the binding: the order a quick esc, enter gives.
	var got *started
	waitFor(t, "the second scenario to start or wait", func() bool {
		select {
		case s := <-next:
			got = &s
			return true
		default:
			return bindingWaiters() > 0
		}
	})
	if err := old.Close(); err != nil {
		t.Errorf("old Close() = %v; want nil", err)
	}
	if got == nil {
		s := <-next
		got = &s
	}
	if got.err != nil {
		t.Fatal(got.err)
	}
	d := got.d
	defer d.Close()

	sub := d.Subscribe(1 << 12)
	defer sub.Close()
	d.post(func() { deferred.Fail(errors.New("nobody handles this")) })
	var buf []reactor.TraceEvent
	waitFor(t, "the unhandled failure in the new scenario's trace", func() bool {
		buf = sub.Drain(buf[:0])
		for _, ev := range buf {
			if ev.Kind == reactor.KindError && ev.Label == deferred.UnhandledLabel {
				return true
			}
		}
		return false
	})
}
