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
// one-shot), bytes moved and the last thing that happened to it. Once the
// scenario publishes how many bytes wait unread in a socket (KindUnread,
// sampled with FIONREAD on the loop side) an "unread" column shows them:
// data the kernel holds that no handler has read.
type interest struct {
	w, h   int
	now    time.Time
	fds    map[int32]*interestRow
	ended  map[int32]time.Time // frame that brought a registration's end, against stale snapshots
	unread bool                // KindUnread seen: show the column
	rows   []*interestRow      // scratch for View
	tbl    *table.Table        // reused by View
	tblUnr bool                // tbl was built with the unread column
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
	unread   int64 // bytes waiting in the receive queue, last sampled
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

func newInterest() *interest {
	return &interest{fds: map[int32]*interestRow{}, ended: map[int32]time.Time{}}
}

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
		for fd, at := range p.ended {
			if at.Before(msg.At) {
				delete(p.ended, fd) // older than the snapshot: it knows
			}
		}
		for _, w := range msg.List {
			if _, ok := p.ended[int32(w.Fd)]; ok {
				continue // the snapshot may predate the end: the trace knows better
			}
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
		delete(p.ended, ev.Fd)
	case reactor.KindModify:
		r := p.row(ev.Fd)
		r.in, r.last, r.lastAt = ev.Interest, ev.Kind, now
	case reactor.KindDeregister, reactor.KindClosed:
		if _, ok := p.fds[ev.Fd]; ok {
			delete(p.fds, ev.Fd)
			p.ended[ev.Fd] = now
		}
	case reactor.KindUnread:
		p.unread = true
		if r, ok := p.fds[ev.Fd]; ok {
			r.unread = ev.N
		}
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
// when they do not all fit, the ones with unread bytes and the latest to
// do something are kept and the rest collapse into a count.
func (p *interest) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	p.rows = p.rows[:0]
	for _, r := range p.fds {
		p.rows = append(p.rows, r)
	}
	room := p.h - 1
	n := len(p.rows)
	if n > room {
		n = room
		if room > 1 {
			n = room - 1 // leave a line for the count
		}
		// Short of room: the rows worth reading first — bytes left
		// unread, then the latest to do something.
		slices.SortFunc(p.rows, func(a, b *interestRow) int {
			if (a.unread > 0) != (b.unread > 0) {
				return boolInt(b.unread > 0) - boolInt(a.unread > 0)
			}
			if c := b.lastAt.Compare(a.lastAt); c != 0 {
				return c
			}
			return int(b.fd - a.fd) // the newer number, as a tie-break
		})
	}
	slices.SortFunc(p.rows[:n], func(a, b *interestRow) int { return int(a.fd - b.fd) })
	if p.tbl == nil || p.tblUnr != p.unread {
		cols := interestCols[:]
		headers := []string{"fd", "owner", "want", "in", "out", "last event"}
		if p.unread {
			// Unread bytes before the traffic: they are the point when
			// they show, and a narrow pane cuts from the right.
			cols = interestColsUnread[:]
			headers = []string{"fd", "owner", "want", "unread", "in", "out", "last event"}
		}
		p.tbl = table.New().Headers(headers...).
			BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).
			BorderHeader(false).BorderColumn(false).StyleFunc(interestStyle(cols))
		p.tblUnr = p.unread
	}
	p.tbl.ClearRows()
	for _, r := range p.rows[:n] {
		last := r.lastString()
		if last != "" && !r.lastAt.IsZero() {
			last += " " + ago(p.now.Sub(r.lastAt).Truncate(100*time.Millisecond))
		}
		cells := []string{strconv.Itoa(int(r.fd)), fit(shortLabel(r.label, 12), 12), fit(r.in.String(), 9)}
		if p.unread {
			unread := ""
			if r.unread > 0 {
				unread = fmtBytes(r.unread)
			}
			cells = append(cells, unread)
		}
		p.tbl.Row(append(cells, fit(fmtBytes(r.bytesIn), bytesCol), fit(fmtBytes(r.bytesOut), bytesCol), last)...)
	}
	lines := strings.Split(p.tbl.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ") // the last column is padded to its widest cell
	}
	if n < len(p.rows) && n < room {
		lines = append(lines, "… "+strconv.Itoa(len(p.rows)-n)+" more, less busy ("+strconv.Itoa(len(p.rows))+" in all)")
	}
	return frameLines(lines, p.w, p.h)
}

// interestCols are the columns' widths (0 = the rest of the line);
// interestColsUnread adds the unread column before the last event. In and
// out are bytesCol wide: up to "99.9MiB", more is cut, never wrapped.
const bytesCol = 7

var (
	interestCols       = [...]int{5, 12, 9, bytesCol, bytesCol, 0}
	interestColsUnread = [...]int{5, 12, 9, 6, bytesCol, bytesCol, 0}
)

// interestStyle gives each column its width; the fd is right-aligned.
func interestStyle(cols []int) table.StyleFunc {
	return func(row, col int) lipgloss.Style {
		s := lipgloss.NewStyle().PaddingRight(1)
		if w := cols[col]; w > 0 {
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
}
