package visualizer

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// A demo waits for what it wants to show to have happened — never for a
// fixed time. A Cond is one such fact, read from the trace the screen
// drains anyway and from the loop's counters: "clients 500" (500
// simulated clients are connected), "stall" (a handler held the loop),
// "refused" (the server turned a connection away). A wait starts when the
// player reaches it; the facts that count since then ("passes 3",
// "stall") are measured from that moment.

// CondKind names a kind of condition.
type CondKind uint8

// The conditions a demo can wait for.
const (
	CondClients  CondKind = iota + 1 // clients N: at least N simulated clients connected
	CondWatching                     // watching N: the loop watches at least N fds
	CondPasses                       // passes N: N more loop passes since the wait began
	CondStall                        // stall: a stall since the wait began
	CondCalm                         // calm N: N passes in a row without a stall
	CondRefused                      // refused: a connection refused since the wait began
	CondBackend                      // backend NAME: the loop runs on NAME
	CondPaused                       // paused: the loop is paused
	CondRunning                      // running: the loop is not paused
	CondError                        // error TEXT: an error saying TEXT since the wait began
)

// Cond is a condition a demo waits for: its kind and its argument.
type Cond struct {
	Kind CondKind
	N    int    // clients, watching, passes
	Text string // backend, error
}

// condDef is one row of the condition table.
type condDef struct {
	kind CondKind
	name string
	arg  string // "" none, "N" a count, "NAME" a backend, "TEXT" words
	doc  string // one line for the format's documentation
}

// condTable is every condition, in the order the documentation lists
// them. Adding one is a row here and its cases in condWatch.
var condTable = []condDef{
	{CondClients, "clients", "N", "at least N simulated clients are connected (or as many as the open-file limit lets the demo run)"},
	{CondWatching, "watching", "N", "the loop watches at least N fds (listener and clients)"},
	{CondPasses, "passes", "N", "the loop has made N more passes since the wait began"},
	{CondStall, "stall", "", "a handler or timer held the loop past the stall threshold since the wait began"},
	{CondCalm, "calm", "N", "the loop has made N passes in a row with no stall (a stall starts the count again)"},
	{CondRefused, "refused", "", "the server refused a connection since the wait began (select's fd 1024, or no fd left)"},
	{CondBackend, "backend", "NAME", "the loop runs on backend NAME (a switch is done between two passes)"},
	{CondPaused, "paused", "", "the loop is paused"},
	{CondRunning, "running", "", "the loop is running (not paused)"},
	{CondError, "error", "TEXT", "an error whose text contains TEXT (any case) was shown since the wait began"},
}

// maxCondCount bounds a condition's count.
const maxCondCount = 1_000_000

func findCond(k CondKind) condDef {
	for _, d := range condTable {
		if d.kind == k {
			return d
		}
	}
	return condDef{}
}

// CondDocs lists the conditions, one "name ARG — what it means" line
// each, for help texts.
func CondDocs() []string {
	out := make([]string, len(condTable))
	for i, d := range condTable {
		out[i] = strings.TrimSpace(d.name+" "+d.arg) + " — " + d.doc
	}
	return out
}

// condNames lists the conditions as "clients N, watching N, ...".
func condNames() string {
	names := make([]string, len(condTable))
	for i, d := range condTable {
		names[i] = strings.TrimSpace(d.name + " " + d.arg)
	}
	return strings.Join(names, ", ")
}

// ParseCond reads a condition's text form: "clients 500", "stall",
// "backend epoll", "error EMFILE".
func ParseCond(s string) (Cond, error) {
	name, arg, _ := strings.Cut(strings.TrimSpace(s), " ")
	arg = strings.TrimSpace(arg)
	var def condDef
	for _, d := range condTable {
		if d.name == name {
			def = d
		}
	}
	if def.kind == 0 {
		return Cond{}, fmt.Errorf("no condition %q; want one of: %s", name, condNames())
	}
	c := Cond{Kind: def.kind}
	switch def.arg {
	case "":
		if arg != "" {
			return Cond{}, fmt.Errorf("%s takes no argument, got %q", name, arg)
		}
	case "N":
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 || n > maxCondCount {
			return Cond{}, fmt.Errorf("%s: want a count from 1 to %d, got %q", name, maxCondCount, arg)
		}
		c.N = n
	case "NAME":
		if strings.Contains(arg, " ") || arg == "" {
			return Cond{}, fmt.Errorf("%s: want one backend name, got %q", name, arg)
		}
		if err := checkBackend(arg); err != nil {
			return Cond{}, fmt.Errorf("%s: %w", name, err)
		}
		c.Text = arg
	case "TEXT":
		if arg == "" {
			return Cond{}, fmt.Errorf("%s: want the words to look for, e.g. \"error EMFILE\"", name)
		}
		c.Text = arg
	}
	return c, nil
}

// String is the condition's text form, which ParseCond reads back.
func (c Cond) String() string {
	d := findCond(c.Kind)
	switch d.arg {
	case "N":
		return d.name + " " + strconv.Itoa(c.N)
	case "NAME", "TEXT":
		return d.name + " " + c.Text
	}
	return d.name
}

// goal says in words what the condition waits for: "500 clients
// connected".
func (c Cond) goal() string {
	switch c.Kind {
	case CondClients:
		return fmtInt(c.N) + " clients connected"
	case CondWatching:
		return "the loop watching " + fmtInt(c.N) + " fds"
	case CondPasses:
		return fmtInt(c.N) + " more loop passes"
	case CondStall:
		return "a stall"
	case CondCalm:
		return fmtInt(c.N) + " passes without a stall"
	case CondRefused:
		return "a refused connection"
	case CondBackend:
		return "the loop on " + c.Text
	case CondPaused:
		return "the loop paused"
	case CondRunning:
		return "the loop running"
	case CondError:
		return "an error saying " + strconv.Quote(c.Text)
	}
	return c.String()
}

// condWatch is one wait in progress.
type condWatch struct {
	cond  Cond
	since time.Time
	base  reactor.Stats // the counters when the wait began (calm: since the last stall)
	seen  bool          // the event it waits for went by (stall, refused, error)
	now   string        // where things stand, for the screen: "312 so far"
}

// newCondWatch starts waiting for c on v's scenario.
func newCondWatch(c Cond, v *liveView, now time.Time) *condWatch {
	return &condWatch{cond: c, since: now, base: v.live.Stats()}
}

// fold looks at the frame v just drained for the events the condition
// waits for. The player calls it after every sample while the wait lasts.
func (w *condWatch) fold(v *liveView) {
	for i := range v.frame.Events {
		ev := &v.frame.Events[i]
		switch w.cond.Kind {
		case CondStall:
			w.seen = w.seen || ev.Kind == reactor.KindStall
		case CondRefused:
			w.seen = w.seen || refusesConnection(ev)
		case CondError:
			if ev.Kind == reactor.KindError || ev.Kind == reactor.KindRefused || ev.Kind == reactor.KindPanic {
				w.seen = w.seen || containsFold(ev.Label+": "+ev.Text, w.cond.Text)
			}
		}
	}
	// Errors a Live reports on its channel reach the screen's error lines
	// only (the select refusal reworded, a failed backend switch).
	for _, e := range v.errs {
		if e.at.Before(w.since) {
			continue
		}
		switch w.cond.Kind {
		case CondRefused:
			w.seen = w.seen || strings.Contains(e.text, "FD_SETSIZE") || containsFold(e.text, "refused")
		case CondError:
			w.seen = w.seen || containsFold(e.text, w.cond.Text)
		}
	}
}

// refusesConnection reports whether ev is the server turning a connection away:
// the listener's refusal at the fd limit, or select's at fd 1024.
func refusesConnection(ev *reactor.TraceEvent) bool {
	return ev.Kind == reactor.KindRefused ||
		(ev.Kind == reactor.KindError && strings.Contains(ev.Text, "FD_SETSIZE"))
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// check reports whether the condition holds now, and sets w.now to where
// things stand. fail is set when it can never hold on this scenario.
func (w *condWatch) check(v *liveView) (met bool, fail string) {
	c := w.cond
	st := v.live.Stats()
	switch c.Kind {
	case CondClients:
		cc, ok := v.live.(ClientCounter)
		if !ok {
			return false, "this scenario does not count its clients"
		}
		n := cc.Clients()
		want := c.N
		if n.Most > 0 && n.Most < want {
			want = n.Most // the open-file limit allows no more: say so below
		}
		w.now = fmtInt(n.Connected) + " connected"
		if want < c.N {
			w.now += " (" + fmtInt(n.Most) + " is all this machine's open-file limit allows)"
		}
		switch {
		case n.Connected >= want:
			return true, ""
		case n.Alive <= n.Connected: // nobody on the way: no more will come
			return false, fmt.Sprintf("%s connected and none on the way: %s could not connect (refused, reset, or out of fds) or were never added",
				fmtInt(n.Connected), fmtInt(want-n.Connected))
		}
		return false, ""
	case CondWatching:
		w.now = "watching " + fmtInt(st.Watched)
		return st.Watched >= c.N, ""
	case CondPasses:
		d := st.Passes - w.base.Passes
		w.now = fmtInt(int(d)) + " so far"
		return d >= uint64(c.N), ""
	case CondStall:
		w.now = "none yet"
		return w.seen || st.Stalls > w.base.Stalls, ""
	case CondCalm:
		if st.Stalls != w.base.Stalls { // a stall: count again from here
			w.base.Stalls, w.base.Passes = st.Stalls, st.Passes
		}
		d := st.Passes - w.base.Passes
		w.now = fmtInt(int(d)) + " so far"
		return d >= uint64(c.N), ""
	case CondRefused, CondError:
		w.now = "none yet"
		return w.seen, ""
	case CondBackend:
		b := v.live.Backend()
		w.now = "on " + orDash(b)
		return b == c.Text, ""
	case CondPaused, CondRunning:
		p := v.live.Paused()
		w.now = map[bool]string{true: "paused", false: "running"}[p]
		return p == (c.Kind == CondPaused), ""
	}
	return false, "unknown condition"
}

// fmtInt writes n with thousands separators: 10,000.
func fmtInt(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
