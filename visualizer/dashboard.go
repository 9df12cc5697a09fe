package visualizer

import (
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
)

// dashboardScreen is every pane over one Live that the caller owns
// (`reactorlab serve`), with every control on and no prose.
type dashboardScreen struct {
	name   string
	live   *liveView
	keys   KeyMap
	w, h   int
	closed bool // the subscription is closed
}

func newDashboardScreen(c *common, name string, live Live) *dashboardScreen {
	panes := slices.DeleteFunc(AllPanes(), func(id PaneID) bool { return !fedBy(id, live) })
	s := &dashboardScreen{name: name, keys: DefaultKeyMap(),
		live: newLiveView(c.cfg, live, panes, AllControls(), c.cfg.injectors)}
	s.keys.only(0)
	s.live.bindKeys(&s.keys)
	return s
}

// fedBy reports whether live can feed pane id: the panes drawn from a
// source beside the trace need the Live to implement it.
func fedBy(id PaneID, live Live) bool {
	var ok bool
	switch id {
	case PaneChain:
		_, ok = live.(ChainSource)
	case PaneLatency:
		_, ok = live.(LatencySource)
	case PanePool:
		_, ok = live.(PoolSource)
	case PaneFDs:
		_, ok = live.(FDSource)
	default:
		ok = true
	}
	return ok
}

func (s *dashboardScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tickMsg:
		return s.live.sample(time.Time(msg))
	case watchedMsg, cmdErrMsg:
		s.live.Update(msg)
	case ActionMsg:
		s.live.do(Action(msg))
	case tea.KeyPressMsg:
		s.live.handleKey(msg, &s.keys)
	}
	return nil
}

func (s *dashboardScreen) setSize(w, h int) tea.Cmd {
	s.w, s.h = w, h
	s.live.SetSize(w, max(0, h-headerRows))
	return nil
}

func (s *dashboardScreen) keyMap() KeyMap      { return s.keys }
func (s *dashboardScreen) title() string       { return s.name }
func (s *dashboardScreen) helpNotes() []string { return injectorNotes(s.live) }

// leave detaches from the trace; the Live stays the caller's.
func (s *dashboardScreen) leave() tea.Cmd {
	if !s.closed {
		s.closed = true
		s.live.src.Close()
	}
	return nil
}

func (s *dashboardScreen) view() string {
	if s.w <= 0 || s.h <= 0 {
		return ""
	}
	return fit(styleTitle.Render(s.name), s.w) + "\n" +
		frameLines(strings.Split(s.live.View(), "\n"), s.w, max(0, s.h-headerRows))
}
