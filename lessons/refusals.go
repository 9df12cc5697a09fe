package lessons

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/reactorlab/reactorlab/reactor"
)

// The TCP layer reports an accepted connection it could not watch (select
// and an fd >= 1024) as a KindError or KindRefused trace event on the loop
// goroutine. The screen drains the trace anyway, so the driver looks for
// those events in what the screen drains and copies them to Errors: the
// loop pays nothing extra for it.

// refusalReporter turns refusal trace events into errors, one error per
// drained batch ("and N more") so a burst of refusals is one line on screen.
type refusalReporter struct {
	mu     sync.Mutex
	owner  *watchedSource // only one subscriber reports, or each error would show twice
	report func(error)
}

// scan looks at a drained batch on behalf of src.
func (r *refusalReporter) scan(src *watchedSource, evs []reactor.TraceEvent) {
	r.mu.Lock()
	if r.owner == nil {
		r.owner = src
	}
	mine := r.owner == src
	r.mu.Unlock()
	if !mine {
		return
	}
	var first *reactor.TraceEvent
	more := 0
	for i := range evs {
		ev := &evs[i]
		if !isRefusal(ev) || !reworded(ev) {
			continue
		}
		if first == nil {
			first = ev
		} else {
			more++
		}
	}
	if first == nil {
		return
	}
	r.report(errors.New(refusalText(first, more)))
}

// refusalText words a refusal for a narrow line on screen: the point
// first, details after, since the end may be cut off.
func refusalText(ev *reactor.TraceEvent, more int) string {
	also := ""
	if more > 0 {
		also = fmt.Sprintf(" and %d more", more)
	}
	if strings.Contains(ev.Text, "FD_SETSIZE") {
		// The fd number whole, then the name of the limit: beside the
		// prose the line keeps about 33 cells at 80 columns, 50 at 100.
		return fmt.Sprintf("select refused fd %d ≥ FD_SETSIZE%s: its fd sets stop at 1023, so the server closed it; switch to poll or epoll",
			ev.Fd, also)
	}
	if strings.Contains(ev.Text, ghostReport) {
		then := "nothing takes it out of the set now"
		if strings.Contains(ev.Text, "rebuilding") {
			then = "the loop rebuilt its set without it"
		}
		return "stale events: the kernel reports an fd closed while registered (a dup keeps its file open); " + then
	}
	if strings.Contains(ev.Text, closedFirst) {
		return fmt.Sprintf("fd %d%s was closed while still registered: deregister first, then close (%s)", ev.Fd, also, ev.Label)
	}
	if ev.Kind != reactor.KindRefused {
		msg := ev.Text
		if ev.Label != "" && !strings.Contains(msg, ev.Label) {
			msg = ev.Label + ": " + msg
		}
		return msg
	}
	// The point first, the listener last: a narrow line cuts the end.
	who := "a connection"
	if more > 0 {
		who = fmt.Sprintf("%d connections", more+1)
	}
	msg := "refused " + who + ": " + ev.Text
	if ev.Label != "" && !strings.Contains(ev.Text, ev.Label) {
		msg += " (" + ev.Label + ")"
	}
	return msg
}

// release lets another subscriber take over reporting.
func (r *refusalReporter) release(src *watchedSource) {
	r.mu.Lock()
	if r.owner == src {
		r.owner = nil
	}
	r.mu.Unlock()
}

// isRefusal reports whether ev is a connection the server could not take,
// or another error worth a line on screen. Backend-switch refusals are not
// included: SwitchBackend returns those to the driver directly.
func isRefusal(ev *reactor.TraceEvent) bool {
	switch ev.Kind {
	case reactor.KindRefused:
		return true
	case reactor.KindError:
		return !strings.HasPrefix(ev.Text, "switch to ")
	}
	return false
}

// reworded reports whether the screen needs the driver's wording of a
// refusal. The screen shows every KindError of the trace itself, as
// "label: text"; copying a plain one to Errors in the same words made a
// single error read "(×2)". Only the select refusal, which the driver
// rewords to lead with FD_SETSIZE, a Deregister told the fd was closed
// first (lessons 4 and 6), whose point comes after the label, and the
// loop's report of the dup trap are worth copying (and a KindRefused, which it words with the listener's
// label and a burst count).
func reworded(ev *reactor.TraceEvent) bool {
	return ev.Kind != reactor.KindError || strings.Contains(ev.Text, "FD_SETSIZE") ||
		strings.Contains(ev.Text, closedFirst) || strings.Contains(ev.Text, ghostReport)
}

// ghostReport is in the loop's report of events for fds it does not
// watch (the dup trap).
const ghostReport = "for fds the loop does not watch"

// closedFirst is how reactor.ErrClosedWhileRegistered reads in the trace.
var closedFirst = func() string {
	s, _, _ := strings.Cut(reactor.ErrClosedWhileRegistered.Error(), ";")
	return strings.TrimPrefix(s, "reactor: ")
}()

// watchedSource is the TraceSource the driver hands out.
type watchedSource struct {
	sub *reactor.Subscription
	r   *refusalReporter
}

// Drain appends pending events to dst and reports refusals among them.
func (w *watchedSource) Drain(dst []reactor.TraceEvent) []reactor.TraceEvent {
	n := len(dst)
	dst = w.sub.Drain(dst)
	w.r.scan(w, dst[n:])
	return dst
}

// Close detaches the reader.
func (w *watchedSource) Close() {
	w.r.release(w)
	w.sub.Close()
}
