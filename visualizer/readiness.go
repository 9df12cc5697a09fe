package visualizer

import (
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/reactorlab/reactorlab/reactor"
)

// readiness draws one row per watched fd and one column per recent loop
// pass; each cell is what the kernel reported for that fd in that pass.
//
// Cell glyphs (one cell each, never colour alone):
//
//	.  watched, nothing reported     I  readable (in)      O  writable (out)
//	B  both in and out               H  hang-up            E  error
//	N  not open (POLLNVAL)           !  stale: reported for an fd the loop no longer watches
//
// A row whose registration ended stays a while, marked ✗, so what the
// kernel said last (a hang-up, a POLLNVAL) can be read; its cells after
// the end are blank unless the kernel keeps reporting it (the dup trap).
type readiness struct {
	w, h int

	fds    map[int32]*fdRow // watched (and lately unwatched) fds by number
	passes []passCol        // ring of recent passes
	head   int              // index of the newest pass in passes
	count  uint64           // passes seen in total
	cur    passCol          // the pass being built
	now    time.Time        // the frame being folded

	backend    string
	watched    int64    // fds watched at the last WaitStart
	readyNow   int64    // fds ready in the last WaitEnd
	kernelTime int64    // ns spent in the last wait
	rows       []*fdRow // scratch for View
}

type fdRow struct {
	fd     int32
	label  string
	last   uint64    // pass number of the last readiness (0 = never)
	since  uint64    // first pass it was watched in (0 = before the trace began)
	goneAt uint64    // pass its registration ended in (0 = still watched)
	goneTS time.Time // frame that brought the end, against stale snapshots
}

func (r *fdRow) gone() bool { return r.goneAt != 0 }

// passCol is one pass: the fds reported and the glyph of each report.
type passCol struct {
	n      uint64
	fds    []int32
	glyphs []byte
}

const readinessCols = 256 // passes remembered (more than any screen is wide)

func newReadiness() *readiness {
	return &readiness{fds: map[int32]*fdRow{}, passes: make([]passCol, readinessCols)}
}

func (p *readiness) Title() string    { return "Readiness (fd × pass)" }
func (p *readiness) MinHeight() int   { return 6 }
func (p *readiness) SetSize(w, h int) { p.w, p.h = w, h }

// Update folds a frame (or an interest-set snapshot) into the grid.
func (p *readiness) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case *frameMsg:
		p.backend = msg.Backend
		p.now = msg.Now
		for i := range msg.Events {
			p.observe(&msg.Events[i])
		}
	case watchedMsg:
		p.replace(msg)
		for _, w := range msg.List {
			if r := p.fds[int32(w.Fd)]; r != nil && r.gone() && !r.goneTS.Before(msg.At) {
				continue // the snapshot may predate the end: the trace knows better
			}
			p.row(int32(w.Fd), w.Label)
		}
	}
	return nil
}

// replace ends the rows a snapshot that replaces what the pane knew does
// not list (their end was among the lost trace events). Ended rows stay:
// no snapshot lists them.
func (p *readiness) replace(msg watchedMsg) {
	if !msg.Replace {
		return
	}
	listed := make(map[int32]bool, len(msg.List))
	for _, w := range msg.List {
		listed[int32(w.Fd)] = true
	}
	for fd, r := range p.fds {
		if !r.gone() && !listed[fd] {
			r.goneAt, r.goneTS = p.count, p.now
		}
	}
}

// row returns fd's live row, starting a new one if there is none (or only
// the row of an ended registration). A row started here was watched since
// before the trace can tell: only a KindRegister dates it.
func (p *readiness) row(fd int32, label string) *fdRow {
	r := p.fds[fd]
	if r == nil || r.gone() {
		r = &fdRow{fd: fd}
		p.fds[fd] = r
	}
	if label != "" {
		r.label = label
	}
	return r
}

func (p *readiness) observe(ev *reactor.TraceEvent) {
	switch ev.Kind {
	case reactor.KindRegister:
		if r := p.fds[ev.Fd]; r == nil || r.gone() {
			p.row(ev.Fd, ev.Label).since = p.count + 1
		} else if ev.Label != "" {
			r.label = ev.Label
		}
	case reactor.KindDeregister, reactor.KindClosed:
		if r := p.fds[ev.Fd]; r != nil && !r.gone() {
			r.goneAt, r.goneTS = p.count+1, p.now
		}
	case reactor.KindWaitStart:
		p.watched = ev.N
		if ev.Backend != "" {
			p.backend = ev.Backend
		}
	case reactor.KindWaitEnd:
		p.readyNow = ev.N
		p.kernelTime = int64(ev.Dur)
	case reactor.KindReady:
		p.mark(ev.Fd, readyGlyph(ev.Ready))
		p.row(ev.Fd, ev.Label).last = p.count + 1
	case reactor.KindStaleDropped:
		p.mark(ev.Fd, '!')
		r := p.fds[ev.Fd]
		if r == nil { // never seen: a number the loop knew nothing of
			r = &fdRow{fd: ev.Fd, label: "not watched", since: p.count + 1, goneAt: p.count + 1, goneTS: p.now}
			p.fds[ev.Fd] = r
		}
		r.last = p.count + 1
	case reactor.KindPassEnd:
		p.count++
		p.head = (p.head + 1) % len(p.passes)
		old := p.passes[p.head]
		p.cur.n = p.count
		p.passes[p.head] = p.cur
		p.cur = passCol{fds: old.fds[:0], glyphs: old.glyphs[:0]}
		p.forget()
	}
}

// mark records fd's glyph in the pass being built. A stale report never
// hides a real one for the same number.
func (p *readiness) mark(fd int32, g byte) {
	if g == '!' {
		for i, f := range p.cur.fds {
			if f == fd && p.cur.glyphs[i] != '!' {
				return
			}
		}
	}
	p.cur.fds = append(p.cur.fds, fd)
	p.cur.glyphs = append(p.cur.glyphs, g)
}

// forget drops ended rows once their last cell has left the remembered
// passes.
func (p *readiness) forget() {
	if p.count%64 != 0 {
		return
	}
	for fd, r := range p.fds {
		if r.gone() && max(r.goneAt, r.last)+readinessCols < p.count {
			delete(p.fds, fd)
		}
	}
}

// readyGlyph is the single-cell glyph for what the kernel reported.
func readyGlyph(r reactor.Ready) byte {
	switch {
	case r&reactor.Invalid != 0:
		return 'N'
	case r&reactor.Err != 0:
		return 'E'
	case r&reactor.HangUp != 0:
		return 'H'
	case r&(reactor.In|reactor.Out) == reactor.In|reactor.Out:
		return 'B'
	case r&reactor.In != 0:
		return 'I'
	case r&reactor.Out != 0:
		return 'O'
	}
	return '.'
}

// View draws the grid: label column, then passes oldest → newest.
func (p *readiness) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	labelW := max(10, min(18, p.w/3))
	cols := max(1, p.w-labelW-1)
	cols = min(cols, len(p.passes))
	// Rows by priority when short: header, at least one fd, footer, legend.
	showFooter, showLegend := p.h >= 3, p.h >= 8
	bodyRows := max(1, p.h-1-boolInt(showFooter)-boolInt(showLegend))

	// Pick rows: all fds if they fit, else the ended ones (while their
	// last cell is on screen: a POLLNVAL, a hang-up, the dup trap's stale
	// reports are what a lesson points at), then the most recently active
	// ones, with one line saying how many are left out (when there is
	// room).
	p.rows = p.rows[:0]
	for _, r := range p.fds {
		if r.gone() && max(r.goneAt, r.last)+uint64(cols) <= p.count {
			continue
		}
		p.rows = append(p.rows, r)
	}
	hidden := 0
	if len(p.rows) > bodyRows {
		slices.SortFunc(p.rows, func(a, b *fdRow) int {
			if a.gone() != b.gone() {
				if a.gone() {
					return -1
				}
				return 1
			}
			if a.last != b.last {
				if a.last > b.last {
					return -1
				}
				return 1
			}
			return int(a.fd - b.fd)
		})
		keep := bodyRows
		if bodyRows > 1 {
			keep--
			hidden = len(p.rows) - keep
		}
		p.rows = p.rows[:keep]
	}
	slices.SortFunc(p.rows, func(a, b *fdRow) int { return int(a.fd - b.fd) })

	// Map fd -> row index, then paint passes column by column.
	grid := make([][]byte, len(p.rows))
	idx := make(map[int32]int, len(p.rows))
	for i, r := range p.rows {
		grid[i] = []byte(strings.Repeat(".", cols))
		idx[r.fd] = i
	}
	shown := min(uint64(cols), p.count)
	for c := uint64(0); c < shown; c++ {
		pc := &p.passes[(p.head-int(c)+len(p.passes))%len(p.passes)]
		x := cols - 1 - int(c)
		for i, r := range p.rows {
			// Not watched in this pass: before the registration, or after
			// it ended.
			if pc.n < r.since || r.gone() && pc.n > r.goneAt {
				grid[i][x] = ' '
			}
		}
		for j, fd := range pc.fds {
			if i, ok := idx[fd]; ok {
				grid[i][x] = pc.glyphs[j]
			}
		}
	}

	var b strings.Builder
	hdr := fit("fd  owner", labelW) + " " + fit("passes → (newest right), pass #"+strconv.FormatUint(p.count, 10), cols)
	b.WriteString(styleHeader.Render(hdr))
	b.WriteByte('\n')
	for i, r := range p.rows {
		mark := " "
		if r.gone() {
			mark = "✗"
		}
		fd := padLeft(strconv.Itoa(int(r.fd)), 3)
		b.WriteString(fit(fd+mark+shortLabel(r.label, labelW-len(fd)-1), labelW))
		b.WriteByte(' ')
		b.Write(grid[i])
		b.WriteByte('\n')
	}
	if hidden > 0 {
		b.WriteString(fit("… "+strconv.Itoa(hidden)+" more fds with no recent readiness", p.w))
		b.WriteByte('\n')
	}
	for i := len(p.rows) + boolInt(hidden > 0); i < bodyRows; i++ {
		b.WriteByte('\n')
	}
	if showLegend {
		b.WriteString(fit("I in O out B both H hup E err N nval ! stale . none", p.w))
		b.WriteByte('\n')
	}
	if !showFooter {
		return strings.TrimSuffix(b.String(), "\n")
	}
	b.WriteString(fit(orDash(p.backend)+" · "+strconv.FormatInt(p.watched, 10)+" fds watched · "+
		strconv.FormatInt(p.readyNow, 10)+" ready this pass · "+fmtDur(durNS(p.kernelTime))+" in kernel", p.w))
	return b.String()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
