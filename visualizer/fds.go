package visualizer

import (
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// FDSource is implemented by a Live that reports its process's file
// descriptor table (the lessons' driver samples it on the loop side, a few
// times a second). The fds pane draws it.
type FDSource interface {
	// FDTable is the latest sample. It is called on every frame, so it
	// must be cheap (read atomics).
	FDTable() FDTable
}

// FDTable is a process's file descriptor table at a glance, with the
// accept counts of the scenario's listener.
type FDTable struct {
	Open int    // fds open in the process now
	Soft uint64 // soft RLIMIT_NOFILE: every new fd's number must be below it
	Hard uint64 // hard RLIMIT_NOFILE: how far the soft limit may be raised
	Was  uint64 // the soft limit before the scenario lowered it (0 = not lowered)

	Listener     bool   // the counts below are known
	Accepted     uint64 // connections accepted
	Refused      uint64 // accepted and closed at once: out of fds
	AcceptErrors uint64 // accept4 failures (EMFILE with the guard off)
	Guard        bool   // the listener's EMFILE guard (a reserve fd) is on
}

// fds shows how full the fd table is and what the listener does when it
// fills: one connection is one fd (two here: the simulated clients live in
// this process), and at the soft RLIMIT_NOFILE accept4 fails with EMFILE.
type fds struct {
	w, h   int
	t      FDTable
	has    bool      // the Live is an FDSource
	errs   rateMeter // accept errors per second
	refuse rateMeter // refusals per second
}

func newFDs() *fds { return &fds{} }

func (p *fds) Title() string    { return "File descriptors (RLIMIT_NOFILE)" }
func (p *fds) MinHeight() int   { return 5 }
func (p *fds) SetSize(w, h int) { p.w, p.h = w, h }

// Update takes the frame's sample.
func (p *fds) Update(msg tea.Msg) tea.Cmd {
	f, ok := msg.(*frameMsg)
	if !ok || !f.HasFDs {
		return nil
	}
	p.t, p.has = f.FDs, true
	p.errs.add(f.Now, float64(p.t.AcceptErrors))
	p.refuse.add(f.Now, float64(p.t.Refused))
	return nil
}

// View draws the table's fill as a bar, the limits and the accept counts.
func (p *fds) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	if !p.has {
		return frameLines([]string{"this scenario does not report its fd table"}, p.w, p.h)
	}
	t := &p.t
	lim := "soft limit " + fmtLimit(t.Soft)
	if t.Was > 0 {
		lim = "soft " + fmtLimit(t.Soft) + " (lowered from " + fmtLimit(t.Was) + ")"
	}
	// Most telling first: a squeezed pane cuts from the bottom.
	lines := []string{
		"open " + strconv.Itoa(t.Open) + " of " + fmtLimit(t.Soft) + " " + fillBar(t.Open, t.Soft, max(10, min(30, p.w-30))),
		lim + " · hard " + fmtLimit(t.Hard),
	}
	if t.Listener {
		failed := "accept4 failed " + fmtCount(float64(t.AcceptErrors))
		if r := p.errs.perSec(); r >= 1 {
			failed += " (" + fmtCount(r) + "/s)"
		}
		acc := "accepted " + fmtCount(float64(t.Accepted)) + " · refused " + fmtCount(float64(t.Refused))
		if r := p.refuse.perSec(); r >= 1 {
			acc += " (" + fmtCount(r) + "/s)"
		}
		guard := "reserve fd ON: refuse at the limit"
		if !t.Guard {
			guard = styleWarn.Render("reserve fd OFF: clients stay queued")
		}
		lines = append(lines, failed, acc, guard)
	}
	return frameLines(lines, p.w, p.h)
}

// fillBar draws used/limit as a bar of n cells with the share after it.
func fillBar(used int, limit uint64, n int) string {
	if limit == 0 || n <= 0 {
		return ""
	}
	share := min(1, float64(used)/float64(limit))
	full := int(share*float64(n) + 0.5)
	if used > 0 && full == 0 {
		full = 1
	}
	return "[" + strings.Repeat("█", full) + strings.Repeat("·", n-full) + "] " + strconv.Itoa(int(share*100)) + "%"
}

// fmtLimit renders an rlimit ("unlimited" for RLIM_INFINITY).
func fmtLimit(n uint64) string {
	if n >= 1<<62 {
		return "unlimited"
	}
	return strconv.FormatUint(n, 10)
}
