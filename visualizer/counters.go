package visualizer

import (
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"charm.land/lipgloss/v2/table"
	"github.com/reactorlab/reactorlab/reactor"
)

// counters shows the syscalls the loop made, by kind, with totals and
// per-second rates, plus wake-ups, events delivered and trace events the
// screen missed because its ring overflowed.
type counters struct {
	w, h    int
	st      reactor.Stats
	backend string
	dropped uint64 // trace events lost by the visualizer's own subscription
	rates   [8]rateMeter
	tbl     *table.Table // reused by View
	// since holds the wait and ctl counts when the backend last changed:
	// those two rows are named after the backend's syscalls ("epoll_ctl()"),
	// so they count from the switch on. A switch to epoll thus shows one
	// epoll_ctl per fd, not those plus poll's syscall-free registrations.
	since [2]uint64
}

func newCounters() *counters { return &counters{} }

func (p *counters) Title() string    { return "Counters (syscalls)" }
func (p *counters) MinHeight() int   { return 6 }
func (p *counters) SetSize(w, h int) { p.w, p.h = w, h }

func (p *counters) values() [8]uint64 {
	s := &p.st
	return [8]uint64{s.WaitCalls, s.CtlCalls, s.Accepts, s.Reads, s.Writes, s.Wakes, s.Events, s.Passes}
}

// Update takes the stats snapshot and counts overflow events.
func (p *counters) Update(msg tea.Msg) tea.Cmd {
	f, ok := msg.(*frameMsg)
	if !ok {
		return nil
	}
	if p.backend != "" && f.Backend != p.backend {
		// Counted before this frame: the old backend's. The new one's
		// registrations (the switch itself) come after.
		p.since = [2]uint64{p.st.WaitCalls, p.st.CtlCalls}
	}
	p.st, p.backend = f.Stats, f.Backend
	for i := range f.Events {
		if f.Events[i].Kind == reactor.KindOverflow {
			p.dropped += uint64(f.Events[i].N)
		}
	}
	for i, v := range p.values() {
		p.rates[i].add(f.Now, float64(v))
	}
	return nil
}

// waitName is the wait syscall's real name for a backend ("epoll_wait()").
func waitName(backend string) string {
	if b, ok := reactor.LookupBackend(backend); ok && b.Wait != "" {
		return b.Wait + "()"
	}
	return "wait"
}

// ctlName says what a registration change costs on a backend: a syscall
// (epoll_ctl) where the interest set lives in the kernel, only a
// user-space table update where the whole set goes to every wait.
func ctlName(backend string) string {
	if b, ok := reactor.LookupBackend(backend); ok && b.Ctl != "" {
		return b.Ctl + "()"
	}
	return "register (no syscall)"
}

// View draws one row per counter: name, total, rate.
func (p *counters) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	names := [8]string{waitName(p.backend), ctlName(p.backend), "accept()", "read()", "write()",
		"wake-ups", "events", "passes"}
	vals := p.values()
	vals[0] -= min(vals[0], p.since[0])
	vals[1] -= min(vals[1], p.since[1])
	lines := make([]string, 0, p.h)
	nw := max(8, min(22, p.w-19))
	if p.tbl == nil {
		p.tbl = table.New().Headers("kind", "total", "per s").
			BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).
			BorderHeader(false).BorderColumn(false)
	}
	p.tbl.ClearRows().StyleFunc(func(row, col int) lipgloss.Style {
		s := lipgloss.NewStyle().Width([...]int{nw, 9, 10}[col])
		if col > 0 {
			s = s.Align(lipgloss.Right)
		}
		if row == table.HeaderRow {
			s = s.Bold(true)
		}
		return s
	})
	for i := range names {
		p.tbl.Row(fit(names[i], nw), fmtTotal(vals[i]), fmtCount(max(0, p.rates[i].perSec())))
	}
	rows := strings.Split(p.tbl.String(), "\n")
	if p.h < 4 {
		// Squeezed: the wait and ctl rows, side by side, say more than
		// the column headings do.
		rows = rows[1:]
	}
	lines = append(lines, rows...)
	// The panel may be shorter than this list: the most telling rows come
	// first and the rest are cut at the bottom.
	extra := "wake writes " + fmtCount(float64(p.st.WakeWrites)) + " · stalls " + fmtCount(float64(p.st.Stalls)) +
		" · panics " + fmtCount(float64(p.st.Panics))
	lines = append(lines, fit(extra, p.w))
	drop := "trace dropped: loop " + fmtCount(float64(p.st.Dropped)) + " · screen " + fmtCount(float64(p.dropped))
	if p.dropped > 0 {
		drop = styleWarn.Render(drop)
	}
	lines = append(lines, fit(drop, p.w))
	return frameLines(lines, p.w, p.h)
}

// fmtTotal renders a running total exactly while it fits the column
// ("2,013": ten new clients show as ten more epoll_ctl calls), and
// compactly beyond ("12.3M").
func fmtTotal(n uint64) string {
	if n >= 10_000_000 {
		return fmtCount(float64(n))
	}
	s := strconv.FormatUint(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
