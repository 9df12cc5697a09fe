package visualizer

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/reactorlab/reactorlab/deferred"
	"github.com/reactorlab/reactorlab/reactor"
)

// liveView is the sampler plus the panes over one Live. It is shared by the
// lesson view and the dashboard. Everything here runs on the UI goroutine
// except the Cmds it returns.
type liveView struct {
	cfg      *config
	live     Live
	src      TraceSource
	ids      []PaneID
	panes    []pane
	controls Controls

	buf      []reactor.TraceEvent  // reused every frame
	chainBuf []deferred.TraceEvent // reused every frame
	frame    frameMsg

	errs        []errLine // newest last
	watchedBusy bool
	lastWatched time.Time
	now         time.Time

	dropped       uint64 // trace events lost to ring overflow (KindOverflow)
	droppedAtSnap uint64 // dropped when the last interest-set snapshot was requested

	w, h   int
	layout []rect // one per pane; zero size = hidden
	hidden int
}

type errLine struct {
	at    time.Time
	text  string
	count int
}

type rect struct{ x, y, w, h int }

const (
	errKeep       = 3
	errShowFor    = 30 * time.Second
	watchedPeriod = time.Second
)

// backendCycle is the order b steps through.
var backendCycle = []string{"select", "poll", "epoll"}

// delayLadder is the slow-motion ladder + and - step through.
var delayLadder = []time.Duration{0, 10 * time.Millisecond, 50 * time.Millisecond,
	200 * time.Millisecond, 500 * time.Millisecond, time.Second}

func newLiveView(cfg *config, live Live, ids []PaneID, controls Controls) *liveView {
	v := &liveView{cfg: cfg, live: live, controls: controls}
	for _, id := range ids {
		if p := newPane(id); p != nil {
			v.ids = append(v.ids, id)
			v.panes = append(v.panes, p)
		}
	}
	v.src = live.Subscribe(cfg.subCap)
	if v.src == nil {
		v.src = noTrace{} // a Live without a trace still shows stats and errors
	}
	return v
}

// noTrace is an empty TraceSource.
type noTrace struct{}

func (noTrace) Drain(dst []reactor.TraceEvent) []reactor.TraceEvent { return dst }
func (noTrace) Close()                                              {}

// sample is the frame step: drain the ring, snapshot the loop, feed every
// pane one frameMsg. It returns a Cmd only when an interest-set snapshot
// is due.
func (v *liveView) sample(now time.Time) tea.Cmd {
	v.now = now
	v.buf = v.src.Drain(v.buf[:0])
	f := &v.frame
	*f = frameMsg{Now: now, Events: v.buf, Stats: v.live.Stats(), Backend: v.live.Backend(),
		Paused: v.live.Paused(), Delay: v.live.Delay()}
	if f.Backend == "" {
		f.Backend = f.Stats.Backend
	}
	for i := range v.buf {
		switch ev := &v.buf[i]; ev.Kind {
		case reactor.KindError:
			v.addErr(now, labelled(ev.Label, ev.Text))
		case reactor.KindRefused:
			v.addErr(now, labelled("connection refused", ev.Text))
		case reactor.KindPanic:
			v.addErr(now, "panic in "+ev.Label+": "+firstLine(ev.Text))
		case reactor.KindOverflow:
			v.dropped += uint64(ev.N)
		}
	}
	for _, p := range v.panes {
		p.Update(f)
	}
	if cs, ok := v.live.(ChainSource); ok {
		v.chainBuf = cs.DrainDeferred(v.chainBuf[:0])
		if len(v.chainBuf) > 0 {
			m := chainMsg{Events: v.chainBuf}
			for _, p := range v.panes {
				p.Update(m)
			}
		}
	}
	for drained := 0; drained < 16; drained++ {
		select {
		case err, ok := <-v.live.Errors():
			if !ok || err == nil {
				drained = 16
				continue
			}
			v.addErr(now, err.Error())
		default:
			drained = 16
		}
	}
	if !v.watchedBusy && now.Sub(v.lastWatched) >= watchedPeriod {
		v.watchedBusy = true
		v.lastWatched = now
		live := v.live
		replace := v.dropped != v.droppedAtSnap
		v.droppedAtSnap = v.dropped
		return safeCmd(func() tea.Msg { return watchedMsg{At: now, List: live.Watched(), Replace: replace} })
	}
	return nil
}

// labelled joins a label and a message as "label: message", either may be
// empty.
func labelled(label, text string) string {
	switch {
	case label == "":
		return text
	case text == "":
		return label
	}
	return label + ": " + text
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func (v *liveView) addErr(now time.Time, text string) {
	if n := len(v.errs); n > 0 && v.errs[n-1].text == text {
		v.errs[n-1].count++
		v.errs[n-1].at = now
		return
	}
	if len(v.errs) >= errKeep {
		v.errs = v.errs[1:]
	}
	v.errs = append(v.errs, errLine{at: now, text: text, count: 1})
}

// Update handles the non-frame messages a live view cares about.
func (v *liveView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case watchedMsg:
		v.watchedBusy = false
		for _, p := range v.panes {
			p.Update(msg)
		}
	case cmdErrMsg:
		v.addErr(v.now, msg.err.Error())
	}
	return nil
}

// handleKey runs a live control if the key is bound to an enabled one.
// Control calls are quick by contract (they post to the loop), so they run
// right here.
func (v *liveView) handleKey(msg tea.KeyPressMsg, km *KeyMap) (bool, tea.Cmd) {
	c := v.controls
	l := v.live
	switch {
	case c.Has(CtlPause) && key.Matches(msg, km.Pause):
		if l.Paused() {
			l.Resume()
		} else {
			l.Pause()
		}
	case c.Has(CtlStep) && key.Matches(msg, km.Step):
		l.Step()
	case c.Has(CtlSlow) && key.Matches(msg, km.Slower):
		l.SetDelay(stepDelay(l.Delay(), +1))
	case c.Has(CtlSlow) && key.Matches(msg, km.Faster):
		l.SetDelay(stepDelay(l.Delay(), -1))
	case c.Has(CtlBackend) && key.Matches(msg, km.Backend):
		l.SwitchBackend(nextBackend(l.Backend()))
	case c.Has(CtlAddActive) && key.Matches(msg, km.AddActive):
		l.AddClients(10, true)
	case c.Has(CtlAddIdle) && key.Matches(msg, km.AddIdle):
		l.AddClients(100, false)
	case c.Has(CtlDrop) && key.Matches(msg, km.Drop):
		l.DropClients()
	case c.Has(CtlStall) && key.Matches(msg, km.Stall):
		l.InjectStall(v.cfg.stallDelay)
	default:
		return false, nil
	}
	return true, nil
}

// nextBackend is the backend after cur in select → poll → epoll → select.
func nextBackend(cur string) string {
	for i, b := range backendCycle {
		if b == cur {
			return backendCycle[(i+1)%len(backendCycle)]
		}
	}
	return backendCycle[0]
}

// stepDelay moves one rung up or down the slow-motion ladder.
func stepDelay(cur time.Duration, dir int) time.Duration {
	i := 0
	for i < len(delayLadder)-1 && delayLadder[i] < cur {
		i++
	}
	if delayLadder[i] != cur && dir < 0 {
		// between rungs: "faster" lands on the rung below
		return delayLadder[max(0, i-1)]
	}
	return delayLadder[max(0, min(len(delayLadder)-1, i+dir))]
}

// close detaches from the trace and closes the Live off the UI goroutine.
func (v *liveView) close() tea.Cmd {
	v.src.Close()
	live := v.live
	return safeCmd(func() tea.Msg {
		if err := live.Close(); err != nil {
			return cmdErrMsg{fmt.Errorf("closing scenario: %w", err)}
		}
		return nil
	})
}

// cmdErrMsg reports an error (or a recovered panic) from a Cmd.
type cmdErrMsg struct{ err error }

// safeCmd wraps fn so a panic becomes a message instead of killing the
// program with the terminal in raw mode.
func safeCmd(fn func() tea.Msg) tea.Cmd {
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = cmdErrMsg{errors.New(fmt.Sprint("panic: ", r))}
			}
		}()
		return fn()
	}
}
