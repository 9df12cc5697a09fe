package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// traceFile is the Trace Event Format's JSON object form.
type traceFile struct {
	TraceEvents     []traceEvent   `json:"traceEvents"`
	DisplayTimeUnit string         `json:"displayTimeUnit"`
	OtherData       map[string]any `json:"otherData"`
}

type traceEvent struct {
	Name string          `json:"name"`
	Cat  string          `json:"cat"`
	Ph   string          `json:"ph"`
	Ts   *json.Number    `json:"ts"`
	Dur  *json.Number    `json:"dur"`
	Pid  *int            `json:"pid"`
	Tid  *int            `json:"tid"`
	S    string          `json:"s"`
	ID   string          `json:"id"`
	Bp   string          `json:"bp"`
	Args json.RawMessage `json:"args"`
}

// ns reads a microsecond number as whole nanoseconds.
func ns(t *testing.T, n *json.Number) int64 {
	t.Helper()
	s := n.String()
	whole, frac, _ := strings.Cut(s, ".")
	frac = (frac + "000")[:3]
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || v < 0 {
		t.Fatalf("timestamp %q: not a non-negative number of µs", s)
	}
	return v
}

// checkTrace checks what Perfetto and chrome://tracing need: the required
// fields on every event, a known phase, durations that are not negative,
// slices on each track nested (a child inside its parent, siblings apart),
// and flows that start, step and finish in time order.
func checkTrace(t *testing.T, data []byte) traceFile {
	t.Helper()
	var f traceFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("not a Trace Event Format JSON object: %v", err)
	}
	if len(f.TraceEvents) == 0 {
		t.Fatal("no traceEvents")
	}
	type span struct{ start, end int64 }
	slicesByTrack := map[int][]span{}
	flows := map[string][]traceEvent{}
	for i, e := range f.TraceEvents {
		where := fmt.Sprintf("event %d (%s %q)", i, e.Ph, e.Name)
		if e.Name == "" || e.Pid == nil || e.Tid == nil || e.Ts == nil {
			t.Fatalf("%s lacks name, pid, tid or ts", where)
		}
		ts := ns(t, e.Ts)
		switch e.Ph {
		case "X":
			if e.Dur == nil {
				t.Fatalf("%s: a complete event without dur", where)
			}
			slicesByTrack[*e.Tid] = append(slicesByTrack[*e.Tid], span{ts, ts + ns(t, e.Dur)})
		case "i":
			if !slices.Contains([]string{"t", "p", "g"}, e.S) {
				t.Fatalf("%s: instant scope %q", where, e.S)
			}
		case "M":
			if len(e.Args) == 0 {
				t.Fatalf("%s: metadata without args", where)
			}
		case "s", "t", "f":
			if e.ID == "" || e.Cat == "" {
				t.Fatalf("%s: a flow event without id or cat", where)
			}
			flows[e.ID] = append(flows[e.ID], e)
		default:
			t.Fatalf("%s: unknown phase", where)
		}
	}
	for tid, ss := range slicesByTrack {
		slices.SortStableFunc(ss, func(a, b span) int {
			if a.start != b.start {
				return int(a.start - b.start)
			}
			return int(b.end - a.end) // the parent first
		})
		var stack []span
		for _, s := range ss {
			for len(stack) > 0 && stack[len(stack)-1].end <= s.start {
				stack = stack[:len(stack)-1]
			}
			if len(stack) > 0 && s.end > stack[len(stack)-1].end {
				t.Fatalf("track %d: slice [%d, %d] overlaps its parent [%d, %d] without nesting", tid, s.start, s.end,
					stack[len(stack)-1].start, stack[len(stack)-1].end)
			}
			stack = append(stack, s)
		}
	}
	for id, fs := range flows {
		if len(fs) < 2 || fs[0].Ph != "s" || fs[len(fs)-1].Ph != "f" {
			t.Fatalf("flow %s: phases %v; want s, t..., f", id, fs)
		}
		for i := 1; i < len(fs); i++ {
			if ns(t, fs[i].Ts) < ns(t, fs[i-1].Ts) || (i < len(fs)-1 && fs[i].Ph != "t") {
				t.Fatalf("flow %s goes back in time or is out of order", id)
			}
		}
	}
	return f
}

func TestWritePerfetto(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    *Recording
		want []string // event names that must be there
		flow bool
	}{
		{"lesson1", lesson1(t), []string{"wait in the kernel", "blocking handler (sleeps 300ms)", "action: stall", "timer"}, false},
		{"lesson3", lesson3(t), []string{"wait in the kernel", "timers & calls"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WritePerfetto(&b, tc.r); err != nil {
				t.Fatal(err)
			}
			f := checkTrace(t, b.Bytes())
			names := map[string]bool{}
			var threads []string
			stalls, flows := 0, 0
			for _, e := range f.TraceEvents {
				names[e.Name] = true
				if e.Ph == "M" && e.Name == "thread_name" {
					threads = append(threads, string(e.Args))
				}
				if strings.HasPrefix(e.Name, "STALL") {
					stalls++
				}
				if e.Ph == "s" {
					flows++
				}
			}
			for _, w := range tc.want {
				found := names[w]
				for n := range names {
					found = found || strings.HasPrefix(n, w)
				}
				if !found {
					t.Errorf("no event named %q", w)
				}
			}
			if tc.name == "lesson1" && stalls != 1 {
				t.Errorf("%d stall marks; want 1", stalls)
			}
			if tc.flow && flows == 0 {
				t.Error("no flow arrow for the Deferred chains")
			}
			if j := strings.Join(threads, " "); !strings.Contains(j, `"loop (epoll)"`) || !strings.Contains(j, `"fd `) {
				t.Errorf("tracks %s; want the loop and one per fd", j)
			}
		})
	}
}
