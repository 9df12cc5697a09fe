package visualizer

import (
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"charm.land/lipgloss/v2/table"
	"github.com/reactorlab/reactorlab/reactor"
)

// interest is the user-space view of what the kernel is watching: one row
// per registration with its owner, interest (r/w, edge-triggered,
// one-shot), bytes moved and the last thing that happened to it.
type interest struct {
	w, h int
	now  time.Time
	fds  map[int32]*interestRow
	rows []*interestRow // scratch for View
	tbl  *table.Table   // reused by View
}

type interestRow struct {
	fd       int32
	label    string
	in       reactor.Interest
	bytesIn  int64
	bytesOut int64
	last     reactor.Kind // what happened last (formatted only in View)
	lastN    int64
	lastRdy  reactor.Ready
	lastText string
	lastAt   time.Time
}

// lastString formats the last event; kept out of Update so a busy server
// costs no allocation per event.
func (r *interestRow) lastString() string {
	switch r.last {
	case 0:
		return ""
	case reactor.KindRegister:
		return "registered"
	case reactor.KindModify:
		return "modified"
	case reactor.KindReady:
		return "ready " + r.lastRdy.String()
	case reactor.KindBytesIn:
		return "read " + strconv.FormatInt(r.lastN, 10) + "B"
	case reactor.KindBytesOut:
		return "wrote " + strconv.FormatInt(r.lastN, 10) + "B"
	case reactor.KindAccepted:
		return "accepted " + r.lastText
	}
	return r.last.String() + " " + r.lastText
}

func newInterest() *interest { return &interest{fds: map[int32]*interestRow{}} }

func (p *interest) Title() string    { return "Interest set (user-space view)" }
func (p *interest) MinHeight() int   { return 3 }
func (p *interest) SetSize(w, h int) { p.w, p.h = w, h }

func (p *interest) row(fd int32) *interestRow {
	r := p.fds[fd]
	if r == nil {
		r = &interestRow{fd: fd}
		p.fds[fd] = r
	}
	return r
}

// Update folds registrations, traffic and readiness; a watchedMsg adds any
// registration made before the subscription started.
func (p *interest) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case watchedMsg:
		prune(msg, p.fds)
		for _, w := range msg.List {
			r := p.row(int32(w.Fd))
			r.in = w.Interest
			if w.Label != "" {
				r.label = w.Label
			}
		}
	case *frameMsg:
		p.now = msg.Now
		for i := range msg.Events {
			p.observe(&msg.Events[i], msg.Now)
		}
	}
	return nil
}

func (p *interest) observe(ev *reactor.TraceEvent, now time.Time) {
	switch ev.Kind {
	case reactor.KindRegister:
		r := p.row(ev.Fd)
		*r = interestRow{fd: ev.Fd, label: ev.Label, in: ev.Interest, last: ev.Kind, lastAt: now}
	case reactor.KindModify:
		r := p.row(ev.Fd)
		r.in, r.last, r.lastAt = ev.Interest, ev.Kind, now
	case reactor.KindDeregister, reactor.KindClosed:
		delete(p.fds, ev.Fd)
	case reactor.KindReady:
		if r, ok := p.fds[ev.Fd]; ok {
			r.last, r.lastRdy, r.lastAt = ev.Kind, ev.Ready, now
		}
	case reactor.KindBytesIn:
		if r, ok := p.fds[ev.Fd]; ok {
			r.bytesIn += ev.N
			r.last, r.lastN, r.lastAt = ev.Kind, ev.N, now
		}
	case reactor.KindBytesOut:
		if r, ok := p.fds[ev.Fd]; ok {
			r.bytesOut += ev.N
			r.last, r.lastN, r.lastAt = ev.Kind, ev.N, now
		}
	case reactor.KindAccepted:
		if r, ok := p.fds[ev.Fd]; ok {
			r.last, r.lastText, r.lastAt = ev.Kind, ev.Text, now
		}
	case reactor.KindPaused, reactor.KindResumed:
		if r, ok := p.fds[ev.Fd]; ok {
			r.last, r.lastText, r.lastAt = ev.Kind, ev.Text, now
		}
	}
}

// View draws the registrations as a table (lipgloss/table) sorted by fd;
// rows that do not fit collapse into a count.
func (p *interest) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	p.rows = p.rows[:0]
	for _, r := range p.fds {
		p.rows = append(p.rows, r)
	}
	slices.SortFunc(p.rows, func(a, b *interestRow) int { return int(a.fd - b.fd) })
	room := p.h - 1
	n := len(p.rows)
	if n > room {
		n = room
		if room > 1 {
			n = room - 1 // leave a line for the count
		}
	}
	if p.tbl == nil {
		p.tbl = table.New().Headers("fd", "owner", "want", "in", "out", "last event").
			BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).
			BorderHeader(false).BorderColumn(false).StyleFunc(interestStyle)
	}
	p.tbl.ClearRows()
	for _, r := range p.rows[:n] {
		last := r.lastString()
		if last != "" && !r.lastAt.IsZero() {
			last += " " + fmtDur(p.now.Sub(r.lastAt).Truncate(100*time.Millisecond)) + " ago"
		}
		p.tbl.Row(strconv.Itoa(int(r.fd)), fit(r.label, 12), fit(r.in.String(), 8),
			fit(fmtBytes(r.bytesIn), interestCols[3]), fit(fmtBytes(r.bytesOut), interestCols[4]), last)
	}
	lines := strings.Split(p.tbl.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ") // the last column is padded to its widest cell
	}
	if n < len(p.rows) && n < room {
		lines = append(lines, "… "+strconv.Itoa(len(p.rows)-n)+" more registrations ("+strconv.Itoa(len(p.rows))+" in all)")
	}
	return frameLines(lines, p.w, p.h)
}

// interestCols are the columns' widths (0 = the rest of the line).
var interestCols = [...]int{5, 12, 8, 7, 7, 0} // in, out: up to "99.9MiB"; more is cut, never wrapped

// interestStyle gives each column its width; the fd is right-aligned.
func interestStyle(row, col int) lipgloss.Style {
	s := lipgloss.NewStyle().PaddingRight(1)
	if w := interestCols[col]; w > 0 {
		s = s.Width(w + 1)
	}
	if col == 0 {
		s = s.Align(lipgloss.Right)
	}
	if row == table.HeaderRow {
		s = s.Bold(true)
	}
	return s
}
