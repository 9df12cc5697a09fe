package lessons

import (
	"bufio"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/deferred"
)

// profileForms are lesson 10's three ways to write the same handler.
var profileForms = []struct {
	name                string
	parallel, coroutine bool
}{
	{"nested", false, false},
	{"parallel", true, false},
	{"coroutine", false, true},
	{"coroutine and parallel", true, true},
}

// TestProfileChainOnFakeClock follows each kind of line through each form
// of the handler with time under the test's control: every form gives the
// same answers, and leaves no timer behind.
func TestProfileChainOnFakeClock(t *testing.T) {
	good := answerFor(person{41, userName(41)}, teams[41%len(teams)])
	tests := []struct {
		name    string
		line    string
		advance []time.Duration // Pump steps: a lookup started by another fires a step later
		want    []string
	}{
		{"good", "user 41", []time.Duration{lookupDelay(41), teamDelay(41)}, []string{good}},
		{"bad", "usr 42", nil, []string{"sorry, bad input: usr 42; try: user 42"}},
		{"slow", "user 40", []time.Duration{lookupTimeout}, []string{"sorry, the lookup took too long (deferred: timed out after 1s)"}},
	}
	for _, form := range profileForms {
		for _, tt := range tests {
			t.Run(form.name+"/"+tt.name, func(t *testing.T) {
				clock := deferred.NewFakeClock(time.Unix(0, 0))
				s := newProfileServer(clock, new(deferred.Binding))
				s.parallel.Store(form.parallel)
				s.coroutine.Store(form.coroutine)
				r := &fakeReplier{}
				c := s.newConn(r)
				c.handle(tt.line)
				clock.Pump(tt.advance...)
				if strings.Join(r.got, "|") != strings.Join(tt.want, "|") {
					t.Errorf("replies = %q; want %q", r.got, tt.want)
				}
				if n := len(c.pending); n != 0 {
					t.Errorf("chains still pending = %d; want 0", n)
				}
				if n := clock.Pending(); n != 0 {
					t.Errorf("timers left on the clock = %d; want 0", n)
				}
			})
		}
	}
}

// The nested form waits twice: on the user lookup, then on the team's;
// the parallel form waits once, on a Deferred that waits on both, and so
// answers sooner.
func TestProfileChainsWait(t *testing.T) {
	for _, form := range profileForms[:2] {
		t.Run(form.name, func(t *testing.T) {
			clock := deferred.NewFakeClock(time.Unix(0, 0))
			b := new(deferred.Binding)
			var waits []string
			defer b.Observe(func(ev deferred.TraceEvent) {
				if ev.Kind == deferred.EventPaused && ev.Label == "user 41" {
					waits = append(waits, "waits")
				}
			})()
			s := newProfileServer(clock, b)
			s.parallel.Store(form.parallel)
			r := &fakeReplier{}
			s.newConn(r).handle("user 41")
			clock.Advance(max(lookupDelay(41), teamDelay(41)))
			answered := len(r.got) == 1
			clock.Advance(teamDelay(41))
			if want := map[bool]int{false: 2, true: 1}[form.parallel]; len(waits) != want {
				t.Errorf("the chain paused %d times; want %d", len(waits), want)
			}
			if answered != form.parallel {
				t.Errorf("answered after the slower lookup alone: %v; want %v", answered, form.parallel)
			}
		})
	}
}

// A client that hangs up cancels its chain, and the cancel goes on to the
// lookup the chain waits on (in every form), whose timer is then gone.
func TestProfileHangUpCancelsTheLookup(t *testing.T) {
	for _, form := range profileForms {
		t.Run(form.name, func(t *testing.T) {
			clock := deferred.NewFakeClock(time.Unix(0, 0))
			var cancelled []string
			// The lookups on a fake clock belong to no loop's Binding:
			// watch every Deferred in the process.
			defer deferred.Observe(func(ev deferred.TraceEvent) {
				if ev.Kind == deferred.EventCancelled {
					cancelled = append(cancelled, ev.Label)
				}
			})()
			s := newProfileServer(clock, new(deferred.Binding))
			s.parallel.Store(form.parallel)
			s.coroutine.Store(form.coroutine)
			r := &fakeReplier{}
			c := s.newConn(r)
			c.handle("user 30")
			r.closed = true
			c.ConnectionLost(nil)
			if !slices.Contains(cancelled, "lookup user 30") {
				t.Errorf("cancelled: %q; want the user lookup among them", cancelled)
			}
			if n := clock.Pending(); n != 0 {
				t.Errorf("timers left on the clock = %d; want 0: the cancel stopped the lookups", n)
			}
			if len(r.got) != 0 || len(c.pending) != 0 {
				t.Errorf("replies %q, %d chains pending; want none of either", r.got, len(c.pending))
			}
		})
	}
}

// TestProfileScenario runs lesson 10's server on a real reactor over
// loopback, in each form, and checks the chain pane is fed.
func TestProfileScenario(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "poll", Server: Profile})
	if d.chains == nil || d.profile == nil || d.latency == nil {
		t.Fatalf("profile scenario: chains %v, profile %v, latency %v; want all three", d.chains, d.profile, d.latency)
	}
	c, err := net.Dial("tcp", d.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	rd := bufio.NewReader(c)
	want := answerFor(person{41, userName(41)}, teams[41%len(teams)])
	for _, form := range profileForms {
		d.profile.parallel.Store(form.parallel)
		d.profile.coroutine.Store(form.coroutine)
		if _, err := c.Write([]byte("user 41\n")); err != nil {
			t.Fatal(err)
		}
		line, err := rd.ReadString('\n')
		if err != nil || strings.TrimSpace(line) != want {
			t.Errorf("%s: reply %q, %v; want %q", form.name, line, err, want)
		}
	}
	facts := map[uint64]*chainFacts{}
	foldChains(d.chains.Drain(nil), facts)
	waited := 0
	for _, f := range facts {
		if f.label == "user 41" && f.waited {
			waited++
		}
	}
	if waited < 2 { // the nested and parallel forms; a coroutine awaits without pausing
		t.Errorf("%d chains of \"user 41\" waited on another Deferred; want at least 2", waited)
	}
}
