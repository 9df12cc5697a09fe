package record

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// Summary is what `reactorlab replay FILE --summary` reports: the facts of
// a recording a reader wants before (or instead of) watching it.
type Summary struct {
	Header   Header
	Size     int64
	Complete bool
	Problems []Problem

	First, Last int64 // loop clock of the first and last event
	Passes      uint64
	Events      uint64         // reactor and Deferred events
	ByKind      map[string]int // events by kind name
	Stalls      []Mark         // Label: the handler blamed; Dur: how long it held the loop
	Refusals    []Mark         // Text: the reason
	Errors      []Mark         // errors and panics: Label, Text
	Switches    []Mark         // backend switches: Text = "old → new"
	Actions     []Mark         // what the learner did: Text = the action ("add-idle 100")
	Gaps        []Mark         // N = events lost
	PeakFds     Mark           // N = registrations at the peak
	PeakWatched int64          // the most fds one wait call watched
}

// Mark is one notable event of a recording: where it is and what it says.
type Mark struct {
	At    int64  // loop clock
	Pass  uint64 // passes ended before it: it happened during pass Pass+1
	Label string
	Text  string
	Dur   time.Duration
	N     int64
}

// Summarize reads the whole recording once.
func Summarize(r *Recording) Summary {
	s := Summary{Header: r.Header, Size: r.Size, Complete: r.Complete, Problems: r.Problems,
		ByKind: map[string]int{}, First: -1}
	st := NewState()
	resync := true // the next keyframe's registrations are the ones to count from
	r.Scan(func(rec *Record) error {
		switch rec.Type {
		case RecKeyframe:
			if resync {
				st.Regs, resync = rec.State.Regs, false // made before recording started, or lost in a skip
			}
			return nil
		case RecSkip:
			resync = true
			return nil
		}
		st.Apply(rec)
		ev := &rec.Event
		m := Mark{At: ev.At, Pass: st.Passes, Label: ev.Label, Text: ev.Text, Dur: ev.Dur, N: ev.N}
		switch rec.Type {
		case RecGap:
			m.N = int64(rec.Lost + rec.LostChains)
			s.Gaps = append(s.Gaps, m)
			return nil
		case RecEvent, RecChain:
		default:
			return nil
		}
		s.Events++
		s.ByKind[rec.KindString()]++
		if s.First < 0 {
			s.First = ev.At
		}
		s.Last = ev.At
		switch ev.Kind {
		case reactor.KindStall:
			s.Stalls = append(s.Stalls, m)
		case reactor.KindRefused:
			s.Refusals = append(s.Refusals, m)
		case reactor.KindError, reactor.KindPanic:
			if ev.Kind == reactor.KindPanic {
				m.Text = "panic: " + firstLine(m.Text)
			}
			s.Errors = append(s.Errors, m)
		case reactor.KindBackendSwitched:
			m.Text = ev.Text + " → " + ev.Backend
			s.Switches = append(s.Switches, m)
		case reactor.KindAction:
			m.Text = strings.TrimSpace(ev.Label + " " + ev.Text)
			s.Actions = append(s.Actions, m)
		case reactor.KindWaitStart:
			s.PeakWatched = max(s.PeakWatched, ev.N)
		}
		if n := int64(len(st.Regs)); n > s.PeakFds.N {
			s.PeakFds = Mark{At: ev.At, Pass: st.Passes, N: n}
		}
		return nil
	})
	s.Passes = st.Passes
	if s.First < 0 {
		s.First = 0
	}
	return s
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// Duration is the loop time the recording covers.
func (s *Summary) Duration() time.Duration { return time.Duration(s.Last - s.First) }

// WriteTo writes the plain report.
func (s *Summary) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	h := &s.Header
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "scenario\t%s\n", orNone(strings.TrimSpace(h.Scenario+" — "+h.Title), " —"))
	fmt.Fprintf(tw, "recorded\t%s by %s on %s/%s, backend %s\n", h.Start.UTC().Format("2006-01-02 15:04:05 MST"),
		h.Program, h.OS, h.Arch, h.Backend)
	fmt.Fprintf(tw, "duration\t%s of loop time, %s passes", fmtDur(s.Duration()), group(int64(s.Passes)))
	if d := s.Duration().Seconds(); d > 0 {
		fmt.Fprintf(tw, " (%.1f passes/s)", float64(s.Passes)/d)
	}
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "events\t%s", group(int64(s.Events)))
	if s.Events > 0 {
		fmt.Fprintf(tw, " in %s bytes (%.1f bytes per event)", group(s.Size), float64(s.Size)/float64(s.Events))
	}
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "peak fds\t%s registrations", group(s.PeakFds.N))
	if s.PeakFds.N > 0 {
		fmt.Fprintf(tw, " at %s (pass %s)", fmtDur(time.Duration(s.PeakFds.At-s.First)), group(int64(s.PeakFds.Pass+1)))
	}
	fmt.Fprintf(tw, "; one wait watched up to %s fds\n", group(s.PeakWatched))
	file := "complete"
	if !s.Complete {
		file = "incomplete: no end block (the recorder did not close it)"
	}
	fmt.Fprintf(tw, "file\t%s\n", file)
	tw.Flush()

	b.WriteString("\nevents by kind\n")
	kinds := make([]string, 0, len(s.ByKind))
	for k := range s.ByKind {
		kinds = append(kinds, k)
	}
	slices.SortFunc(kinds, func(a, c string) int {
		return cmp.Or(cmp.Compare(s.ByKind[c], s.ByKind[a]), cmp.Compare(a, c))
	})
	kw, nw := 0, 0
	for _, k := range kinds {
		kw, nw = max(kw, len(k)), max(nw, len(group(int64(s.ByKind[k]))))
	}
	for _, k := range kinds {
		fmt.Fprintf(&b, "  %-*s  %*s\n", kw, k, nw, group(int64(s.ByKind[k])))
	}

	section := func(title string, marks []Mark, line func(m Mark) string) {
		fmt.Fprintf(&b, "\n%s (%d)\n", title, len(marks))
		if len(marks) == 0 {
			b.WriteString("  none\n")
		}
		for _, m := range marks {
			b.WriteString("  " + where(m, s.First) + "  " + line(m) + "\n")
		}
	}
	section("stalls", s.Stalls, func(m Mark) string {
		return fmtDur(m.Dur) + " blamed on " + orNone(m.Label, "an unnamed handler")
	})
	section("refusals", s.Refusals, func(m Mark) string { return m.Text })
	section("errors", s.Errors, func(m Mark) string { return strings.TrimPrefix(m.Label+": "+m.Text, ": ") })
	section("backend switches", s.Switches, func(m Mark) string { return m.Text })
	section("actions", s.Actions, func(m Mark) string { return m.Text })
	section("gaps (the recorder fell behind)", s.Gaps, func(m Mark) string { return group(m.N) + " events lost" })
	if len(s.Problems) > 0 {
		fmt.Fprintf(&b, "\nunreadable parts (%d)\n", len(s.Problems))
		for _, p := range s.Problems {
			b.WriteString("  " + p.String() + "\n")
		}
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// where is a mark's place: its time from the first event and its pass.
func where(m Mark, first int64) string {
	return fmt.Sprintf("%9s  pass %-7s", fmtDur(time.Duration(m.At-first)), group(int64(m.Pass+1)))
}

func orNone(s, none string) string {
	if s == "" || s == none {
		return "-"
	}
	return s
}

// fmtDur rounds d for a report: 12.345s, 300ms, 45µs.
func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond / 10).String()
}

// group writes n with thousands separators: 1,234,567.
func group(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
