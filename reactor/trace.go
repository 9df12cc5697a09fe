package reactor

import "time"

// Kind says what a TraceEvent describes.
type Kind uint8

// Trace event kinds. Field meanings are documented per kind.
const (
	KindPassStart       Kind = iota + 1 // N = pass number
	KindPassEnd                         // Dur = whole pass; Dur2 = dispatching handlers; Dur3 = timers/calls
	KindWaitStart                       // Backend, N = fds watched, Dur = timeout (-1 = infinite)
	KindWaitEnd                         // N = fds ready, Dur = time in the kernel (timed from the pass start); Text = "netpoller" when epoll parked on Go's netpoller
	KindReady                           // Fd, Ready, Label
	KindDispatch                        // Fd, Label, Dur = handler duration
	KindTimerScheduled                  // N = timer id, Dur = delay, Label = func name
	KindTimerFired                      // N = timer id, Dur = lateness, Label = func name
	KindTimerCancelled                  // N = timer id
	KindWake                            // N = coalesced calls drained this pass
	KindRegister                        // Fd, Interest, Label
	KindModify                          // Fd, Interest
	KindDeregister                      // Fd, Label
	KindStaleDropped                    // Fd, Ready: event for a closed/reused registration
	KindStall                           // Label = blamed handler/timer, Dur = how long it held the loop
	KindPanic                           // Label, Text = panic value + stack
	KindBackendSwitched                 // Backend = new, Text = old
	KindLag                             // Dur = heartbeat lateness
	KindOverflow                        // N = events dropped for this subscriber
	KindError                           // Label, Text
	KindListen                          // Fd, Text = bound address
	KindAccepted                        // Fd, Text = remote address
	KindRefused                         // Text = reason
	KindBytesIn                         // Fd, N = bytes
	KindBytesOut                        // Fd, N = bytes
	KindPaused                          // Fd, Text = which
	KindResumed                         // Fd
	KindClosed                          // Fd, Text = reason
	KindDeferred                        // sub-kind in N, details in Text/Label
	KindAction                          // Label = control or injector ID, Text = its argument: what the learner (or a demo script) did
	KindUnread                          // Fd, N = bytes waiting unread in the socket's receive queue (FIONREAD, sampled)
	KindTimerCompacted                  // N = cancelled timers dropped from the heap, Dur = how long the rebuild took
	KindTimerDiscarded                  // N = timer id: a cancelled timer reached the top of the heap and was dropped
	KindWriteQueue                      // Fd, Label, N = bytes queued for writing; Dur2, Dur3 = high, low watermark in bytes
	KindMetric                          // Label = what is measured, Text = whose ("" = this process), N = the value
)

var kindNames = [...]string{
	KindPassStart:       "pass-start",
	KindPassEnd:         "pass-end",
	KindWaitStart:       "wait-start",
	KindWaitEnd:         "wait-end",
	KindReady:           "ready",
	KindDispatch:        "dispatch",
	KindTimerScheduled:  "timer-scheduled",
	KindTimerFired:      "timer-fired",
	KindTimerCancelled:  "timer-cancelled",
	KindWake:            "wake",
	KindRegister:        "register",
	KindModify:          "modify",
	KindDeregister:      "deregister",
	KindStaleDropped:    "stale-dropped",
	KindStall:           "stall",
	KindPanic:           "panic",
	KindBackendSwitched: "backend-switched",
	KindLag:             "lag",
	KindOverflow:        "overflow",
	KindError:           "error",
	KindListen:          "listen",
	KindAccepted:        "accepted",
	KindRefused:         "refused",
	KindBytesIn:         "bytes-in",
	KindBytesOut:        "bytes-out",
	KindPaused:          "paused",
	KindResumed:         "resumed",
	KindClosed:          "closed",
	KindDeferred:        "deferred",
	KindAction:          "action",
	KindUnread:          "unread",
	KindTimerCompacted:  "timer-compacted",
	KindTimerDiscarded:  "timer-discarded",
	KindWriteQueue:      "write-queue",
	KindMetric:          "metric",
}

// String names the kind, e.g. "wait-start"; "kind(N)" for unknown values.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "kind(" + itoa(int(k)) + ")"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// TraceEvent is one thing the loop did. It is a plain value: copying it
// into a ring slot allocates nothing as long as the strings are static or
// were stored once (labels are stored at Register).
type TraceEvent struct {
	Kind     Kind
	Ready    Ready
	Interest Interest
	Fd       int32
	At       int64 // ns since loop start (monotonic)
	N        int64
	Dur      time.Duration
	Dur2     time.Duration
	Dur3     time.Duration
	Backend  string
	Label    string
	Text     string
}

// Epoch is the wall time of the loop clock's zero: a TraceEvent's At is
// nanoseconds since it. Safe from any goroutine.
func (l *Loop) Epoch() time.Time { return l.start }
