package visualizer

import (
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

const (
	highWM = 64 << 10
	lowWM  = 16 << 10
)

// queued is a KindWriteQueue event for fd with the default watermarks.
func queued(fd int32, label string, n int64) reactor.TraceEvent {
	return reactor.TraceEvent{Kind: reactor.KindWriteQueue, Fd: fd, Label: label, N: n, Dur2: highWM, Dur3: lowWM}
}

func producer(kind reactor.Kind, fd int32) reactor.TraceEvent {
	return reactor.TraceEvent{Kind: kind, Fd: fd, Text: "producer"}
}

// A queue above the high watermark shows with its producer paused; it
// resumes at the low watermark; a closed connection's row goes.
func TestBuffersPauseAndResume(t *testing.T) {
	p := newBuffers()
	p.Update(frameOf(t0,
		queued(9, "room 127.0.0.1:5001", 3<<20), producer(reactor.KindPaused, 9),
		queued(10, "room 127.0.0.1:5002", 2000),
		reactor.TraceEvent{Kind: reactor.KindMetric, Label: MetricMemHeld, N: 40 << 20},
		reactor.TraceEvent{Kind: reactor.KindMetric, Label: MetricMemHeap, N: 31 << 20},
		reactor.TraceEvent{Kind: reactor.KindMetric, Text: "some server", Label: MetricMemHeld, N: 1}, // not this process
	))
	got := viewOf(p, 100, 8)
	for _, want := range []string{"queued 3.0MiB on 2 conn(s) · producer PAUSED on 1",
		"watermarks │ high 64.0KiB, ╎ low 16.0KiB · pauses 1, resumes 0 · memory 40.0MiB (heap 31.0MiB)"} {
		if !strings.Contains(got, want) {
			t.Errorf("View() lacks %q:\n%s", want, got)
		}
	}
	rowHas(t, got, "  9 room 127.0.0.1:5001 ", "3.0MiB █", "█» PAUSED")
	rowHas(t, got, " 10 room 127.0.0.1:5002 ", "2.0KiB █·", "╎", "│")
	if i, j := strings.Index(got, "  9 room"), strings.Index(got, " 10 room"); i < 0 || j < i {
		t.Errorf("fullest queue not first:\n%s", got)
	}
	p.Update(frameOf(t0.Add(frameDur), queued(9, "", lowWM), producer(reactor.KindResumed, 9),
		reactor.TraceEvent{Kind: reactor.KindClosed, Fd: 10}))
	got = viewOf(p, 100, 8)
	for _, want := range []string{"producers running", "pauses 1, resumes 1"} {
		if !strings.Contains(got, want) {
			t.Errorf("after the resume: View() lacks %q:\n%s", want, got)
		}
	}
	rowHas(t, got, "  9 room 127.0.0.1:5001 ", "16.0KiB", "resumed")
	if strings.Contains(got, "5002") {
		t.Errorf("closed connection still drawn:\n%s", got)
	}
	p.Update(frameOf(t0.Add(2*frameDur), queued(9, "", 0)))
	if got := viewOf(p, 80, 8); !strings.Contains(got, "nothing queued") {
		t.Errorf("empty queues not said so:\n%s", got)
	}
}

// The bar spans twice the high watermark: the high one in the middle, the
// low one at an eighth, » for a queue past the end.
func TestQueueBar(t *testing.T) {
	tests := []struct {
		queued int64
		want   string
	}{
		{0, "·╎··│···"},
		{1, "█╎··│···"},
		{highWM, "████│···"},
		{highWM + 1, "█████···"},
		{2 * highWM, "████████"},
		{2*highWM + 1, "███████»"},
	}
	for _, tc := range tests {
		if got := queueBar(tc.queued, highWM, lowWM, 8); got != tc.want {
			t.Errorf("queueBar(%d) = %q; want %q", tc.queued, got, tc.want)
		}
	}
	if got := queueBar(5, 0, 0, 4); got != "    " {
		t.Errorf("queueBar without watermarks = %q; want blanks", got)
	}
}

// buffersScenario feeds a lesson-12-like run: a room of six members fed by
// one producer; one member reads slowly and its queue climbs past the
// high watermark until the producer pauses, then drains to the low one.
func buffersScenario(live *fakeLive, m *App) {
	s := &synth{}
	now := t0
	for f := 0; f < 30; f++ {
		s.at = int64(time.Duration(f) * frameDur)
		for fd := int32(8); fd < 13; fd++ {
			s.emit(queued(fd, "room 127.0.0.1:"+itoa(40100+int(fd)), int64(fd%3)*1500))
		}
		// Up 6 KiB a frame past the high watermark, paused, down to the
		// low one, resumed, up again.
		slow := int64(f) * 6 << 10
		switch {
		case f > 11 && f <= 19:
			slow = int64(11-(f-11)) * 6 << 10
		case f > 19:
			slow = int64(3+(f-19)) * 6 << 10
		}
		s.emit(queued(13, "room 127.0.0.1:40113 (slow)", slow))
		if f == 11 {
			s.emit(producer(reactor.KindPaused, 13))
		}
		if f == 19 {
			s.emit(producer(reactor.KindResumed, 13))
		}
		if f == 27 {
			s.emit(producer(reactor.KindPaused, 13))
		}
		s.emit(reactor.TraceEvent{Kind: reactor.KindMetric, Label: MetricMemHeld, N: int64(38+f) << 20})
		// The producer writes 48 KiB a frame (about 1.4 MiB/s) until it is
		// paused at frame 27.
		s.emit(reactor.TraceEvent{Kind: reactor.KindMetric, Label: MetricProduced, N: int64(min(f, 27)) * 48 << 10})
		live.src.push(s.take()...)
		now = now.Add(frameDur)
		m.Update(tickMsg(now))
	}
}

// The producer's running total becomes a rate between two reports.
func TestBuffersProducerRate(t *testing.T) {
	p := newBuffers()
	p.Update(frameOf(t0, reactor.TraceEvent{Kind: reactor.KindMetric, Label: MetricProduced, N: 1 << 20}))
	if got := viewOf(p, 80, 4); strings.Contains(got, "/s") {
		t.Errorf("a rate from one report:\n%s", got)
	}
	p.Update(frameOf(t0.Add(500*time.Millisecond), reactor.TraceEvent{Kind: reactor.KindMetric, Label: MetricProduced, N: 2 << 20}))
	if got := viewOf(p, 80, 4); !strings.Contains(got, "writes 2.0MiB/s") {
		t.Errorf("View() lacks the producer's 2 MiB/s:\n%s", got)
	}
	if got := viewOf(p, 24, 4); !strings.Contains(got, "queued 0B · 2.0MiB/s") {
		t.Errorf("narrow View() lacks the rate:\n%s", got)
	}
}

func TestBuffersView(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(itoa(sz.w)+"x"+itoa(sz.h), func(t *testing.T) {
			lessons := paneLesson(PaneBuffers, PaneStalls)
			m := openLesson(t, lessons, "panes", sz.w, sz.h)
			buffersScenario(lessons[0].(*fakeLesson).live, m)
			got := m.View().Content
			checkSize(t, got, sz.w, sz.h)
			golden(t, got)
		})
	}
}

// rowHas checks that the line of view starting with head holds each of want.
func rowHas(t *testing.T, view, head string, want ...string) {
	t.Helper()
	for _, line := range strings.Split(view, "\n") {
		if strings.HasPrefix(line, head) {
			for _, w := range want {
				if !strings.Contains(line, w) {
					t.Errorf("row %q lacks %q", line, w)
				}
			}
			return
		}
	}
	t.Errorf("no row starts with %q:\n%s", head, view)
}

func TestFitLabel(t *testing.T) {
	for _, tc := range []struct {
		label string
		w     int
		want  string
	}{
		{"room 127.0.0.1:40113", 30, "room 127.0.0.1:40113"},
		{"room 127.0.0.1:40113", 16, "127.0.0.1:40113"},
		{"room 127.0.0.1:40113 (slow)", 12, ":40113 (slow)"},
		{"room [::1]:40113", 8, "[::1]:40113"},
	} {
		if got := fitLabel(tc.label, tc.w); got != tc.want {
			t.Errorf("fitLabel(%q, %d) = %q; want %q", tc.label, tc.w, got, tc.want)
		}
	}
}

// timersAndQueues adds to frame f of the dashboard's scripted run what the
// timers and buffers panes draw: a ticker and idle timeouts, one slow
// reader's queue climbing past the high watermark.
func timersAndQueues(s *synth, f int) {
	s.emit(reactor.TraceEvent{Kind: reactor.KindTimerScheduled, N: int64(100 + f), Dur: 5 * time.Second, Label: expireFunc})
	if f > 0 {
		s.emit(reactor.TraceEvent{Kind: reactor.KindTimerCancelled, N: int64(99 + f)})
	}
	if f%10 == 0 {
		s.emit(reactor.TraceEvent{Kind: reactor.KindTimerFired, N: 3, Dur: time.Duration(f) * 100 * time.Microsecond, Label: tickFunc})
		s.emit(reactor.TraceEvent{Kind: reactor.KindTimerScheduled, N: 3, Dur: 250 * time.Millisecond, Label: tickFunc})
	}
	s.emit(queued(9, "echo 127.0.0.1:40109", int64(f)*3<<10))
	if f == 22 {
		s.emit(producer(reactor.KindPaused, 9))
	}
}
