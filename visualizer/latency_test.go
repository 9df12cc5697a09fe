package visualizer

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// latencyStory is what simulated clients measure over secs seconds from
// start: group "ping" (2 clients, a request every 100 ms, 200 µs each)
// and group "typing" (3 clients, one request a second, 300 µs each),
// while the loop stalls from stall to stall+stallFor: a request sent
// during the stall, or waiting when it began, is answered only when it
// ends. Events are in time order.
func latencyStory(start time.Time, secs int, stall time.Time, stallFor time.Duration) []LatencyEvent {
	var evs []LatencyEvent
	end := start.Add(time.Duration(secs) * time.Second)
	client := func(group string, id int, first, every, rtt time.Duration) {
		for sent := start.Add(first); sent.Before(end); {
			reply := sent.Add(rtt)
			if stallEnd := stall.Add(stallFor); reply.After(stall) && sent.Before(stallEnd) {
				reply = stallEnd.Add(rtt)
			}
			evs = append(evs, LatencyEvent{Kind: LatencySent, Group: group, Client: id, At: sent})
			if reply.After(end) {
				break // still waiting when the story ends
			}
			evs = append(evs, LatencyEvent{Kind: LatencyReply, Group: group, Client: id, At: reply, Dur: reply.Sub(sent)})
			sent = reply.Add(every - rtt)
		}
	}
	client("ping", 1, 10*time.Millisecond, 100*time.Millisecond, 200*time.Microsecond)
	client("ping", 2, 60*time.Millisecond, 100*time.Millisecond, 200*time.Microsecond)
	for i := 3; i <= 5; i++ {
		client("typing", i, time.Duration(i)*170*time.Millisecond, time.Second, 300*time.Microsecond)
	}
	slices.SortStableFunc(evs, func(a, b LatencyEvent) int { return a.At.Compare(b.At) })
	return evs
}

// playLatency feeds evs[i:] to pane p frame by frame from from to until,
// as the screen does: a frame, then the events recorded before it. It
// returns the index of the first event not fed.
func playLatency(p pane, evs []LatencyEvent, i int, from, until time.Time) int {
	for now := from; !now.After(until); now = now.Add(frameDur) {
		p.Update(&frameMsg{Now: now})
		j := i
		for j < len(evs) && !evs[j].At.After(now) {
			j++
		}
		if j > i {
			p.Update(latencyMsg{Events: evs[i:j]})
			i = j
		}
	}
	return i
}

// Every group feels a stall: p99 jumps for the fast pingers and the slow
// typists alike, and the strip marks the second it happened in.
func TestLatencyStallFelt(t *testing.T) {
	stall := t0.Add(4*time.Second + 300*time.Millisecond)
	evs := latencyStory(t0, 8, stall, 500*time.Millisecond)
	p := newLatency()
	p.SetSize(60, 8)
	i := playLatency(p, evs, 0, t0, t0.Add(4*time.Second))
	for _, g := range p.groups {
		if g.p99 > time.Millisecond {
			t.Fatalf("group %s before the stall: p99 %v; want under 1ms", g.name, g.p99)
		}
	}
	i = playLatency(p, evs, i, t0.Add(4*time.Second+frameDur), t0.Add(6*time.Second))
	for _, g := range p.groups {
		// A typist's request arrived 200 ms into the stall and waited 290 ms.
		if g.p99 < 250*time.Millisecond {
			t.Errorf("group %s: p99 %v after a 500 ms stall; want over 250ms", g.name, g.p99)
		}
		if g.p50 > time.Millisecond {
			t.Errorf("group %s: p50 %v; want the usual sub-millisecond (most requests missed the stall)", g.name, g.p50)
		}
	}
	got := ansi.Strip(p.View())
	for _, want := range []string{"ping", "typing", "p99 each second"} {
		if !strings.Contains(got, want) {
			t.Errorf("View() lacks %q:\n%s", want, got)
		}
	}
	// Five seconds later the stall has left the window.
	playLatency(p, evs, i, t0.Add(6*time.Second+frameDur), t0.Add(8*time.Second))
	p.Update(&frameMsg{Now: stall.Add(latWindow + time.Second)})
	for _, g := range p.groups {
		if g.p99 > time.Millisecond {
			t.Errorf("group %s: p99 %v once the stall left the window; want under 1ms", g.name, g.p99)
		}
	}
}

// A stall in progress shows while it lasts: the requests waiting and for
// how long, before any reply has come back.
func TestLatencyWaitingShown(t *testing.T) {
	stall := t0.Add(1500 * time.Millisecond)
	evs := latencyStory(t0, 3, stall, 10*time.Second) // still stalled when the story ends
	p := newLatency()
	p.SetSize(60, 8)
	playLatency(p, evs, 0, t0, t0.Add(2300*time.Millisecond))
	got := ansi.Strip(p.View())
	if !strings.Contains(got, "2 for 7") {
		t.Errorf("View() does not show the 2 pings waiting for about 790ms:\n%s", got)
	}
	p.SetSize(41, 6) // the pane beside the prose at 80×24: the row must not wrap
	if row := strings.Split(ansi.Strip(p.View()), "\n")[1]; !strings.HasPrefix(row, "ping") || !strings.Contains(row, "2 for 7") {
		t.Errorf("at 41 columns the ping row lost its wait: %q", row)
	}
	if g := p.groups[0]; g.name != "ping" {
		t.Fatalf("groups[0] = %q; want ping (sorted by name)", g.name)
	}
	// The seconds that ended while requests waited carry their wait.
	g := p.groups[0]
	if v := g.hist[(g.histN-1)%latHistory]; v < 400*time.Millisecond {
		t.Errorf("strip value of the second that ended mid-stall = %v; want the wait so far (about 490ms)", v)
	}
}

// A client that hangs up stops counting and leaves no request waiting.
func TestLatencyClientGone(t *testing.T) {
	p := newLatency()
	p.Update(&frameMsg{Now: t0})
	p.Update(latencyMsg{Events: []LatencyEvent{
		{Kind: LatencySent, Group: "typing", Client: 1, At: t0},
		{Kind: LatencySent, Group: "typing", Client: 2, At: t0},
		{Kind: LatencyGone, Group: "typing", Client: 2, At: t0},
	}})
	if n, _ := p.groups[0].pending(t0.Add(time.Second)); n != 1 || p.groups[0].clients() != 1 {
		t.Errorf("after one of two clients hung up: %d waiting, %d clients; want 1 and 1", n, p.groups[0].clients())
	}
}

func TestRank(t *testing.T) {
	ds := func(ms ...int) []time.Duration {
		out := make([]time.Duration, len(ms))
		for i, m := range ms {
			out[i] = time.Duration(m) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		sorted []time.Duration
		q      float64
		want   time.Duration
	}{
		{nil, 0.5, 0},
		{ds(7), 0.99, 7 * time.Millisecond},
		{ds(1, 2, 3, 4), 0.5, 2 * time.Millisecond},
		{ds(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 0.99, 10 * time.Millisecond},
		{ds(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 0.5, 5 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := rank(tt.sorted, tt.q); got != tt.want {
			t.Errorf("rank(%v, %v) = %v; want %v", tt.sorted, tt.q, got, tt.want)
		}
	}
}

// TestLatencyView is the pane in a lesson beside the prose at the two
// sizes the lab promises, right after a 500 ms stall.
func TestLatencyView(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(itoa(sz.w)+"x"+itoa(sz.h), func(t *testing.T) {
			lessons := twoLessons()
			l := lessons[0].(*fakeLesson)
			l.panes = []PaneID{PaneLatency, PaneStalls}
			m := openLesson(t, lessons, "one", sz.w, sz.h)
			stall := t0.Add(4*time.Second + 300*time.Millisecond)
			playApp(m, l.live.lat, latencyStory(t0, 6, stall, 500*time.Millisecond), t0, t0.Add(6*time.Second), latencyAt)
			got := m.View().Content
			checkSize(t, got, sz.w, sz.h)
			golden(t, got)
		})
	}
}

// playApp runs frames from from to until on m, handing rec each event
// the moment before the frame that drains it.
func playApp[E any](m *App, rec interface{ Observe(E) }, evs []E, from, until time.Time, at func(E) time.Time) {
	i := 0
	for now := from; !now.After(until); now = now.Add(frameDur) {
		for i < len(evs) && !at(evs[i]).After(now) {
			rec.Observe(evs[i])
			i++
		}
		m.Update(tickMsg(now))
	}
}

func latencyAt(ev LatencyEvent) time.Time { return ev.At }
