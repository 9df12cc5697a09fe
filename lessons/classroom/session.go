package classroom

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/ssh"
	"github.com/reactorlab/reactorlab/visualizer"
)

// session is the server's record of one student's (or teacher's) lab:
// what the roster shows and the mailbox follow mode writes to. The
// session's own model owns the lab; this record is shared, so every
// field is atomic or behind mu.
type session struct {
	id          int
	who         identity
	remote      string
	started     time.Time
	stats       *connStats // its SSH connection's bytes (nil if unknown)
	progressDir string     // "" = progress in memory (another session of theirs has the dir)

	lastInput  atomic.Int64 // unix nanoseconds of the last key press or follow move
	following  atomic.Bool  // follow mode moves this student
	gotos      atomic.Int64 // moves follow mode delivered (tests read it)
	crashedNow atomic.Bool  // a crash was logged already
	left       atomic.Bool  // its seat is free again

	mail chan struct{} // cap 1: the model has mail (a move, a status change)
	quit chan struct{} // closed by end: the program must quit

	mu     sync.Mutex
	place  visualizer.Place
	goTo   *visualizer.Place // the latest move not yet delivered
	why    endReason
	ending bool
}

func newSession(id int, who identity, sess ssh.Session) *session {
	st := &session{id: id, who: who, remote: sess.RemoteAddr().String(), started: time.Now(),
		mail: make(chan struct{}, 1), quit: make(chan struct{})}
	st.stats, _ = sess.Context().Value(connStatsKey{}).(*connStats)
	st.touch()
	return st
}

func (st *session) name() string { return st.who.name() }

// touch records activity: the idle clock starts again.
func (st *session) touch() { st.lastInput.Store(time.Now().UnixNano()) }

func (st *session) idle(now time.Time) time.Duration {
	return now.Sub(time.Unix(0, st.lastInput.Load()))
}

func (st *session) setPlace(p visualizer.Place) {
	st.mu.Lock()
	st.place = p
	st.mu.Unlock()
}

func (st *session) getPlace() visualizer.Place {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.place
}

// post leaves a move in the mailbox, replacing one not yet delivered:
// a slow student gets the teacher's latest page, never a backlog.
func (st *session) post(p visualizer.Place) {
	st.mu.Lock()
	st.goTo = &p
	st.mu.Unlock()
	st.nudge()
}

// take empties the mailbox.
func (st *session) take() (visualizer.Place, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	p := st.goTo
	st.goTo = nil
	if p == nil {
		return visualizer.Place{}, false
	}
	return *p, true
}

// nudge tells the pump there is mail, without ever blocking.
func (st *session) nudge() {
	select {
	case st.mail <- struct{}{}:
	default:
	}
}

// end asks the session to end for reason r. The first reason given is
// the one the goodbye tells.
func (st *session) end(r endReason) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.why == reasonNone {
		st.why = r
	}
	if !st.ending {
		st.ending = true
		close(st.quit)
	}
}

func (st *session) reason() endReason {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.why
}

// endReason is why a session ended.
type endReason uint8

const (
	reasonNone     endReason = iota
	reasonQuit               // the student pressed q
	reasonIdle               // no key for the idle timeout
	reasonShutdown           // the server is shutting down
	reasonCrash              // a panic or a program failure
	reasonGone               // the connection dropped
)

// log is the reason as the server's log says it.
func (r endReason) log() string {
	switch r {
	case reasonQuit:
		return "quit"
	case reasonIdle:
		return "idle too long"
	case reasonShutdown:
		return "class ended"
	case reasonCrash:
		return "lab crashed"
	case reasonGone:
		return "connection dropped"
	}
	return "ended"
}

// goodbye is what the student reads once the lab has left the screen
// ("" when nobody is there to read it).
func (r endReason) goodbye(st *session, idle time.Duration) string {
	switch r {
	case reasonIdle:
		return fmt.Sprintf("No key pressed for %s, so this session ended to free its seat.\nReconnect any time: your progress is kept.", fmtDur(idle))
	case reasonShutdown:
		return "The class has ended: the teacher stopped the classroom server. Goodbye!"
	case reasonCrash:
		return "Your lab crashed: a bug in reactorlab, not something you did. The rest of the class goes on.\nReconnect to start again."
	case reasonGone:
		return ""
	}
	if st.progressDir == "" {
		return "Goodbye from the reactorlab classroom."
	}
	return "Goodbye from the reactorlab classroom. Your progress is kept: reconnect the same way to go on."
}

// eventLog keeps the server's last events for its screen.
type eventLog struct {
	mu    sync.Mutex
	lines []event
}

type event struct {
	at   time.Time
	text string
}

const eventsKept = 200

func (l *eventLog) add(at time.Time, text string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lines) == eventsKept {
		copy(l.lines, l.lines[1:])
		l.lines = l.lines[:eventsKept-1]
	}
	l.lines = append(l.lines, event{at, text})
}

// last returns up to n events, oldest first, as "15:04:05 text".
func (l *eventLog) last(n int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	evs := l.lines[max(0, len(l.lines)-n):]
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.at.Format("15:04:05") + " " + e.text
	}
	return out
}

// fmtDur is a duration for people: 5s, 3m05s, 1h02m.
func fmtDur(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// fmtBytes is a byte count for people: 512B, 3.4k, 12.0M.
func fmtBytes(n uint64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%dB", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1fG", float64(n)/1e9)
}
