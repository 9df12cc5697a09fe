package demos

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/visualizer"
)

// A good script, read in full: defaults, inherited panes, waits and
// holds, the clients it asks for.
func TestParseScript(t *testing.T) {
	src := `# comments and blank lines are skipped

title   Two steps
lesson  1
caption Three clients.
wait    clients 3
caption Fifty more, in slow motion.
panes   loop stalls
add-active 50
slower  2
wait    clients 53 within 30s
hold    6s
caption Drop them, add a few idle ones.
drop
add-idle 20
stall   2
`
	sc, err := parse("two.demo", src)
	if err != nil {
		t.Fatal(err)
	}
	d := sc.demo
	if d.Title != "Two steps" || sc.lesson.Slug() != "one-process-many-connections" || len(d.Steps) != 3 {
		t.Fatalf("title %q, lesson %s, %d steps; want Two steps, lesson 1, 3 steps", d.Title, sc.lesson.Slug(), len(d.Steps))
	}
	want0 := sc.lesson.Panes()[:2] // the lesson's first two, by default
	if !slices.Equal(d.Steps[0].Panes, want0) {
		t.Errorf("step 1 panes %v; want the lesson's first two %v", d.Steps[0].Panes, want0)
	}
	loopStalls := []visualizer.PaneID{visualizer.PaneLoop, visualizer.PaneStalls}
	if !slices.Equal(d.Steps[1].Panes, loopStalls) || !slices.Equal(d.Steps[2].Panes, loopStalls) {
		t.Errorf("steps 2, 3 panes %v, %v; want %v, inherited", d.Steps[1].Panes, d.Steps[2].Panes, loopStalls)
	}
	if want := append(slices.Clone(want0), loopStalls...); !slices.Equal(d.Panes, want) {
		t.Errorf("demo panes %v; want %v (first seen order)", d.Panes, want)
	}
	st := d.Steps[1]
	if st.Line != 7 || st.Hold != 6*time.Second || len(st.Ops) != 3 {
		t.Fatalf("step 2: line %d, hold %v, %d ops; want line 7, 6s, 3 ops", st.Line, st.Hold, len(st.Ops))
	}
	if op := st.Ops[2]; !op.IsWait() || op.Wait.String() != "clients 53" || op.Within != 30*time.Second || op.Line != 11 {
		t.Errorf("step 2 op 3 = %+v; want wait clients 53 within 30s at line 11", op)
	}
	if op := st.Ops[0]; op.IsWait() || op.Action.String() != "add-active 50" || op.Line != 9 {
		t.Errorf("step 2 op 1 = %+v; want add-active 50 at line 9", op)
	}
	if sc.clients != 50 {
		t.Errorf("clients asked for at once = %d; want 50 (the drop starts again from none)", sc.clients)
	}
	if len(d.Injectors) != 1 || d.Injectors[0].ID != "stall" {
		t.Errorf("injectors %v; want lesson 1's stall", d.Injectors)
	}
}

// Every mistake is reported with the file and the line, and says what
// was wanted.
func TestParseScriptErrors(t *testing.T) {
	head := "title T\nlesson one-process-many-connections\ncaption C\n" // lines 1-3
	tests := []struct {
		name, src, want string
	}{
		{"unknown action", head + "add-idel 100\n", `bad.demo:4: no action "add-idel": the controls are pause, step, slower, faster, backend, add-active, add-idle, drop; this scenario's injectors: stall`},
		{"bad count", head + "add-idle lots\n", `bad.demo:4: add-idle: want a count from 1 to 10000, got "lots"`},
		{"count too big", head + "add-idle 20000\n", "bad.demo:4: add-idle: want a count from 1 to 10000"},
		{"two arguments", head + "add-idle 1 2\n", `bad.demo:4: action "add-idle 1 2": want an ID and at most one argument`},
		{"unknown condition", head + "wait clinets 5\n", `bad.demo:4: wait: no condition "clinets"; want one of: clients N`},
		{"condition count", head + "wait clients many\n", `bad.demo:4: wait: clients: want a count from 1 to 1000000, got "many"`},
		{"bad within", head + "wait stall within soon\n", `bad.demo:4: wait ... within: want a duration from 1ms to 10m0s such as 5s or 500ms, got "soon"`},
		{"unknown pane", head + "panes loop costs\n", `bad.demo:4: panes: no pane "costs"; want one of readiness, loop, stalls`},
		{"pane not fed", head + "panes chain\n", "bad.demo:4: panes: lesson one-process-many-connections's scenario does not feed the chain pane; it can show readiness, loop, stalls, interest, counters"},
		{"too many panes", head + "panes loop stalls readiness interest\n", "bad.demo:4: panes: name 1 to 3 panes"},
		{"pane twice", head + "panes loop loop\n", "bad.demo:4: panes: loop twice"},
		{"unknown lesson", "title T\nlesson no-such-lesson\n", `bad.demo:2: no lesson "no-such-lesson"; valid lessons: 1 (one-process-many-connections)`},
		{"lesson number", "title T\nlesson 99\n", `bad.demo:2: no lesson "99"`},
		{"injector of another lesson", "title T\nlesson 2\ncaption C\nstall\n", `bad.demo:4: no action "stall"`},
		{"bad hold", head + "hold forever\n", `bad.demo:4: hold: want a duration`},
		{"hold zero", head + "hold 0s\n", `bad.demo:4: hold: want a duration`},
		{"step as a caption", "title T\nlesson 1\ncaption C\nstep Three clients\n", `bad.demo:4: action "step Three clients": want an ID and at most one argument, e.g. "add-idle 100"; step is the action that runs N loop passes (a new step of the demo starts with 'caption TEXT')`},
		{"action before a step", "title T\nlesson 1\nadd-idle 5\n", `bad.demo:3: "add-idle" before the first step`},
		{"wait before a step", "title T\nlesson 1\nwait stall\n", "bad.demo:3: wait belongs to a step"},
		{"caption before lesson", "title T\ncaption C\n", "bad.demo:2: the lesson comes before the first caption"},
		{"panes before lesson", "title T\npanes loop\n", "bad.demo:2: the lesson comes before panes"},
		{"empty caption", "title T\nlesson 1\ncaption\n", "bad.demo:3: caption needs its text"},
		{"long caption", "title T\nlesson 1\ncaption " + strings.Repeat("x", 281) + "\n", "bad.demo:3: the caption is 281 characters; keep it to 280"},
		{"two titles", "title T\ntitle U\n", "bad.demo:2: a second title"},
		{"title after step", head + "title U\n", "bad.demo:4: the title goes before the first step"},
		{"lesson after step", head + "lesson 2\n", "bad.demo:4: the lesson goes before the first step"},
		{"no title", "lesson 1\ncaption C\n", "bad.demo: no title"},
		{"no lesson", "title T\n", "bad.demo: no lesson"},
		{"no steps", "title T\nlesson 1\n", "bad.demo: no steps"},
	}
	for _, tc := range tests {
		_, err := parse("bad.demo", tc.src)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: parse = %v;\nwant an error containing %q", tc.name, err, tc.want)
			continue
		}
		var se *ScriptError
		if !errors.As(err, &se) {
			t.Errorf("%s: error %T; want a *ScriptError", tc.name, err)
		}
	}
}

// A script asking for more clients than the machine (or the run) holds
// plays with what fits, and the demo says so under its captions.
func TestParseCapsClients(t *testing.T) {
	src := "title T\nlesson 2\ncaption C\nadd-idle 10000\nwait clients 10003\n"
	d, err := Parse("big.demo", src, Options{MaxClients: 500})
	if err != nil {
		t.Fatal(err)
	}
	want := "at most 500 of this demo's 10000 clients can connect here: capped for this run"
	if d.Notice != want {
		t.Errorf("Notice = %q; want %q", d.Notice, want)
	}
	if d.Name != "big" || d.Start == nil {
		t.Errorf("Name %q, Start set %v; want big and a Start", d.Name, d.Start != nil)
	}
	small, err := Parse("small.demo", "title T\nlesson 2\ncaption C\nadd-idle 10\n", Options{MaxClients: 500})
	if err != nil || small.Notice != "" {
		t.Errorf("a demo that fits: Notice %q, %v; want none", small.Notice, err)
	}
}

// A demo that needs a backend this system lacks (epoll off Linux) is
// refused at its line, with the backends there are, as unavailable.
func TestParseUnavailableBackend(t *testing.T) {
	defer reactor.RegisterBackend(reactor.Backend{Name: "testq", Wait: "testq_wait", Glyph: 'q', Rank: 1 << 21,
		New: func() (reactor.Poller, error) { return nil, errors.New("no") }})() // known, not available here
	for _, src := range []string{
		"title T\nlesson 2\ncaption C\nbackend testq\n",
		"title T\nlesson 2\ncaption C\nwait backend testq\n",
	} {
		_, err := parse("q.demo", src)
		if !errors.Is(err, visualizer.ErrBackendUnavailable) || !strings.Contains(err.Error(), "q.demo:4: ") ||
			!strings.Contains(err.Error(), "backend testq is not available on this system") {
			t.Errorf("parse(%q) = %v; want line 4, testq not available", src, err)
		}
	}
}
