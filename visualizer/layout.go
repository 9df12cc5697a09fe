package visualizer

import (
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// paneWeight is how eagerly a pane takes spare rows.
func paneWeight(id PaneID) int {
	switch id {
	case PaneReadiness:
		return 3
	case PaneInterest, PaneCost, PaneChain:
		return 2
	case PaneTimers, PaneBuffers, PaneCompare:
		return 2
	}
	return 1
}

// SetSize lays the panes out in w×h: a status area on top, then one
// column of boxes (two when there is room for two at 50+ cells each).
func (v *liveView) SetSize(w, h int) {
	v.w, v.h = w, h
	v.layout = make([]rect, len(v.panes))
	v.hidden = 0
	top := v.statusRows()
	area := rect{0, top, w, max(0, h-top)}
	vis := v.visible()
	ncol := 1
	if w >= 2*minPaneWidth && len(vis) > 2 {
		ncol = 2
	}
	// Greedy split into columns by minimum height, order kept per column.
	cols := make([][]int, ncol)
	load := make([]int, ncol)
	for _, i := range vis {
		p := v.panes[i]
		c := 0
		for j := 1; j < ncol; j++ {
			if load[j] < load[c] {
				c = j
			}
		}
		cols[c] = append(cols[c], i)
		load[c] += p.MinHeight() + 2
	}
	x := area.x
	for c, idxs := range cols {
		cw := area.w / ncol
		if c == ncol-1 {
			cw = area.w - (x - area.x)
		}
		v.layoutColumn(idxs, rect{x, area.y, cw, area.h})
		x += cw
	}
	for i, p := range v.panes {
		r := v.layout[i]
		if r.w > 2 && r.h > 2 {
			p.SetSize(r.w-2, r.h-2)
		} else {
			p.SetSize(0, 0)
		}
	}
}

// setShown lays out only the panes in ids (a demo step's), in that
// order; nil shows them all, in v's. The others are still fed every
// frame, so a pane shown again later has its history. Call SetSize after
// it.
func (v *liveView) setShown(ids []PaneID) { v.shown = ids }

// visible lists the indices of the panes to lay out, in layout order.
func (v *liveView) visible() []int {
	if v.shown == nil {
		out := make([]int, len(v.panes))
		for i := range out {
			out[i] = i
		}
		return out
	}
	out := make([]int, 0, len(v.shown))
	for _, id := range v.shown {
		if i := slices.Index(v.ids, id); i >= 0 {
			out = append(out, i)
		}
	}
	return out
}

// layoutColumn stacks panes in r. Each pane gets its minimum height and
// spare rows go by weight. When the minimums do not fit, every pane is
// squeezed toward tightRows content rows before any is hidden; panes that
// still do not fit are hidden from the end and counted.
func (v *liveView) layoutColumn(idxs []int, r rect) {
	const tightRows = 2
	minH := func(i int) int { return v.panes[i].MinHeight() + 2 }
	need := 0
	for _, i := range idxs {
		need += minH(i)
	}
	heights := make([]int, len(idxs))
	if need <= r.h {
		spare := r.h - need
		totalW := 0
		for _, i := range idxs {
			totalW += paneWeight(v.ids[i])
		}
		used := 0
		for k, i := range idxs {
			heights[k] = minH(i) + spare*paneWeight(v.ids[i])/max(1, totalW)
			used += heights[k]
		}
		if len(heights) > 0 {
			heights[len(heights)-1] += r.h - used // rounding goes to the last
		}
	} else {
		n := len(idxs)
		for n > 0 && n*(tightRows+2) > r.h {
			n-- // even squeezed, not all fit: hide from the end
		}
		v.hidden += len(idxs) - n
		idxs, heights = idxs[:n], heights[:n]
		// Start from the minimums and take rows from the least important
		// panes first (lowest weight, then last), never below tight.
		used := 0
		for k, i := range idxs {
			heights[k] = minH(i)
			used += heights[k]
		}
		order := make([]int, len(idxs))
		for k := range order {
			order[k] = len(idxs) - 1 - k
		}
		slices.SortStableFunc(order, func(a, b int) int { return paneWeight(v.ids[idxs[a]]) - paneWeight(v.ids[idxs[b]]) })
		for _, k := range order {
			if used <= r.h {
				break
			}
			cut := min(used-r.h, heights[k]-(tightRows+2))
			heights[k] -= cut
			used -= cut
		}
		if len(heights) > 0 && used < r.h {
			heights[len(heights)-1] += r.h - used
		}
	}
	y := r.y
	for k, i := range idxs {
		v.layout[i] = rect{r.x, y, r.w, heights[k]}
		y += heights[k]
	}
}

// minPaneWidth is the narrowest a pane column gets before the layout
// falls back to a single column.
const minPaneWidth = 40

// statusRows is the height of the info + error area above the panes.
func (v *liveView) statusRows() int { return 2 }

// View draws the status area and every visible pane into a w×h block.
func (v *liveView) View() string {
	if v.w <= 0 || v.h <= 0 {
		return ""
	}
	rows := make([]strings.Builder, v.h)
	rowW := make([]int, v.h) // cells written so far per row
	// Status area.
	info := v.live.Info()
	state := "backend " + orDash(v.frame.Backend)
	if v.frame.Paused {
		state += " · PAUSED"
	}
	if v.frame.Delay > 0 {
		state += " · slow-mo " + fmtDur(v.frame.Delay)
	}
	for _, id := range v.on {
		state += " · " + id + " ON"
	}
	if v.dropped > 0 && v.now.Sub(v.droppedAt) < errShowFor {
		// Shown while it is news; the counters pane keeps the total.
		state += " · screen missed " + fmtCount(float64(v.dropped)) + " trace events"
	}
	if v.hidden > 0 {
		state += " · " + itoa(v.hidden) + " pane(s) hidden: enlarge the terminal"
	}
	status, below := statusRows("["+state+"]", info, v.errorLine(), v.w)
	rows[0].WriteString(fit(status, v.w))
	rows[1].WriteString(fit(below, v.w))
	rowW[0], rowW[1] = v.w, v.w
	// Panes: draw each box, then splice its lines into the rows. Columns
	// are left to right, so appending per row keeps x order as long as
	// boxes in the same row are visited left to right.
	order := make([]int, 0, len(v.panes))
	for i := range v.panes {
		if v.layout[i].w > 0 {
			order = append(order, i)
		}
	}
	// sort by x (stable: few panes)
	for a := 1; a < len(order); a++ {
		for b := a; b > 0 && v.layout[order[b]].x < v.layout[order[b-1]].x; b-- {
			order[b], order[b-1] = order[b-1], order[b]
		}
	}
	for _, i := range order {
		r := v.layout[i]
		if r.h < 2 || r.w < 4 {
			continue
		}
		lines := strings.Split(box(v.panes[i].Title(), v.panes[i].View(), r.w, r.h), "\n")
		for k, ln := range lines {
			if y := r.y + k; y < v.h {
				if rowW[y] < r.x {
					rows[y].WriteString(strings.Repeat(" ", r.x-rowW[y]))
				}
				rows[y].WriteString(ln)
				rowW[y] = r.x + r.w
			}
		}
	}
	var b strings.Builder
	for y := range rows {
		if y > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(rows[y].String())
	}
	return b.String()
}

// statusRows lays the state ("[backend epoll · … ON]"), the scenario's
// info and the newest error (or "") over the two status rows of a view w
// cells wide. When state and info do not fit one row (80 columns) and no
// error needs the second, they take both: the info whole on the second
// row, with the nc command the prose points at, if the state fits the
// first; else the two wrapped over both rows, so the injectors that are
// ON stay on screen.
func statusRows(state, info, errLine string, w int) (string, string) {
	status := state + " " + info
	switch {
	case width(status) <= w || errLine != "":
		return status, errLine
	case width(state) <= w:
		return state, info
	}
	lines := strings.SplitN(ansi.Wordwrap(status, w, ""), "\n", 2)
	if len(lines) < 2 {
		return status, ""
	}
	return lines[0], strings.ReplaceAll(lines[1], "\n", " ")
}

// errorLine shows the newest error (kept on screen for a while), or ""
// while there is none.
func (v *liveView) errorLine() string {
	if n := len(v.errs); n > 0 {
		e := v.errs[n-1]
		if v.now.Sub(e.at) < errShowFor || v.now.IsZero() {
			t := "✗ ERROR: " + e.text
			if e.count > 1 {
				t += " (×" + itoa(e.count) + ")"
			}
			return styleError.Render(fit(t, v.w))
		}
	}
	return ""
}
