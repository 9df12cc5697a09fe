package lessons

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/reactorlab/reactorlab/visualizer"
)

// Scenario is the live part of a lesson: what runs beside the prose.
type Scenario struct {
	Backend       string   // reactor backend at start ("" = reactor.DefaultBackend())
	Server        Protocol // the server on the reactor
	ActiveClients int      // simulated clients typing from the start
	IdleClients   int      // simulated clients connected but silent from the start
	Panes         []visualizer.PaneID
	Controls      []visualizer.ControlID // the built-in live controls offered
	Injectors     []string               // IDs of this lesson's injectors (injectors.go)
	Clients       []ClientGroup          // more simulated clients from the start, timed per group (clients.go)
	KeepGhosts    bool                   // the loop leaves the dup trap sprung (reactor.Loop.SetGhostRebuild(false))
}

// Protocol names the server a scenario runs on its reactor.
type Protocol string

// The servers a scenario can run: reactor/tcp's built-in protocols,
// lesson 3's lookup server whose every answer runs down a Deferred chain,
// and the raw echo of lessons 5 and 6.
const (
	Echo    Protocol = "echo"    // each line comes back
	Chat    Protocol = "chat"    // each line goes to every other client
	Discard Protocol = "discard" // reads and forgets
	Lookup  Protocol = "lookup"  // "user 42" answered through a Deferred chain (deferred_scenario.go)
	Work    Protocol = "work"    // "ping 7" answered at once, "report 7" after a blocking query (work_scenario.go)
	Profile Protocol = "profile" // "user 42" answered after two lookups, chains waiting on chains (profile_scenario.go)

	// Lessons 5 and 6 break an echo written by hand on raw fds (labecho.go).
	RawEcho Protocol = "raw echo"
	Idle    Protocol = "idle"    // echo that hangs up after 10 s of silence, on timers (idle_scenario.go)
	Room    Protocol = "room"    // a chat room with a feed bot that never stops (room_scenario.go)
	Compare Protocol = "compare" // the reactor's and Go net's echo servers in child processes (compare_scenario.go)
)

// scenarios is the manifest: each lesson's live part, by slug. Everything
// else about a lesson is in its Markdown file, content/NN-slug.md: the
// number orders the curriculum, the name is the slug, and the file opens
// with the title and a one-line summary. Adding a lesson is one file and
// one entry here.
var scenarios = map[string]Scenario{
	"one-process-many-connections": {
		Server:        Echo,
		ActiveClients: 3,
		Panes: []visualizer.PaneID{
			visualizer.PaneReadiness, visualizer.PaneInterest,
			visualizer.PaneLoop, visualizer.PaneStalls,
		},
		Controls: []visualizer.ControlID{visualizer.CtlPause, visualizer.CtlStep, visualizer.CtlSlower,
			visualizer.CtlFaster, visualizer.CtlAddActive, visualizer.CtlDrop},
		Injectors: []string{injStall},
	},
	"select-and-the-1024-wall": {
		Backend:       "select",
		Server:        Echo,
		ActiveClients: 3,
		Panes: []visualizer.PaneID{
			visualizer.PaneReadiness, visualizer.PaneCost,
			visualizer.PaneCounters, visualizer.PaneInterest,
		},
		Controls: []visualizer.ControlID{visualizer.CtlPause, visualizer.CtlStep, visualizer.CtlBackend,
			visualizer.CtlAddActive, visualizer.CtlAddIdle, visualizer.CtlDrop},
	},
	"deferreds-two-tracks": {
		Server:        Lookup,
		ActiveClients: 2,
		Panes: []visualizer.PaneID{
			visualizer.PaneChain, visualizer.PaneStalls,
		},
		Controls: []visualizer.ControlID{visualizer.CtlPause, visualizer.CtlStep, visualizer.CtlSlower,
			visualizer.CtlFaster, visualizer.CtlAddActive, visualizer.CtlDrop},
		Injectors: []string{injStall},
	},
	"blocking-the-loop": {
		Server:  Work,
		Clients: []ClientGroup{pingers, chatters},
		Panes: []visualizer.PaneID{
			visualizer.PaneLatency, visualizer.PaneStalls, visualizer.PaneLoop,
		},
		Controls: []visualizer.ControlID{visualizer.CtlPause, visualizer.CtlStep, visualizer.CtlSlower,
			visualizer.CtlFaster, visualizer.CtlAddActive, visualizer.CtlDrop},
		Injectors: []string{injCPU, injSleep, injRead, injLock},
	},
	"a-deferred-is-not-a-thread": {
		Server:  Work,
		Clients: []ClientGroup{pingers, reporters},
		Panes: []visualizer.PaneID{
			visualizer.PaneLatency, visualizer.PanePool, visualizer.PaneStalls,
		},
		Controls: []visualizer.ControlID{visualizer.CtlPause, visualizer.CtlStep,
			visualizer.CtlAddActive, visualizer.CtlDrop},
		Injectors: []string{injWrap, injOffload, injFlood, injDeadlock},
	},
	"chains-that-wait": {
		Server:        Profile,
		ActiveClients: 1,
		Panes: []visualizer.PaneID{
			visualizer.PaneChain, visualizer.PaneLatency,
		},
		Controls: []visualizer.ControlID{visualizer.CtlPause, visualizer.CtlStep, visualizer.CtlSlower,
			visualizer.CtlFaster, visualizer.CtlAddActive, visualizer.CtlDrop},
		Injectors: []string{injParallel, injCoroutine, injHangUp, injSlowUser},
	},
	"poll-arrays-and-pollnval": {
		Backend:       "poll",
		Server:        Echo,
		ActiveClients: 3,
		Panes: []visualizer.PaneID{
			visualizer.PaneReadiness, visualizer.PaneCost, visualizer.PaneInterest,
		},
		Controls: []visualizer.ControlID{visualizer.CtlPause, visualizer.CtlStep,
			visualizer.CtlAddActive, visualizer.CtlAddIdle, visualizer.CtlDrop},
		Injectors: []string{injCloseBehind},
	},
	"epoll-level-and-edge": {
		Backend:       "poll",
		Server:        RawEcho,
		ActiveClients: 2,
		Panes: []visualizer.PaneID{
			visualizer.PaneReadiness, visualizer.PaneInterest,
			visualizer.PaneCounters, visualizer.PaneCost,
		},
		Controls: []visualizer.ControlID{visualizer.CtlPause, visualizer.CtlStep, visualizer.CtlSlower,
			visualizer.CtlFaster, visualizer.CtlBackend, visualizer.CtlAddActive, visualizer.CtlDrop},
		Injectors: []string{injIdle1000, injEdge, injPartial},
	},
	"epoll-oneshot-and-the-dup-trap": {
		Backend:       "epoll",
		Server:        RawEcho,
		ActiveClients: 3,
		KeepGhosts:    true,
		Panes: []visualizer.PaneID{
			visualizer.PaneReadiness, visualizer.PaneInterest,
			visualizer.PaneLoop, visualizer.PaneCounters,
		},
		Controls: []visualizer.ControlID{visualizer.CtlPause, visualizer.CtlStep,
			visualizer.CtlAddActive, visualizer.CtlDrop},
		Injectors: []string{injOneShot, injRearm, injDupTrap, injDeregFirst, injGhostRebuild, injSpurious},
	},
	"the-fd-table": {
		Server:        Echo,
		ActiveClients: 3,
		Panes: []visualizer.PaneID{
			visualizer.PaneFDs, visualizer.PaneReadiness, visualizer.PaneLoop,
		},
		Controls: []visualizer.ControlID{visualizer.CtlPause, visualizer.CtlStep,
			visualizer.CtlAddActive, visualizer.CtlAddIdle, visualizer.CtlDrop},
		Injectors: []string{injFDLimit, injReserveOff},
	},
	"timers-and-wakeups": {
		Server:        Idle,
		ActiveClients: 3,
		Panes:         []visualizer.PaneID{visualizer.PaneTimers, visualizer.PaneStalls},
		Controls: []visualizer.ControlID{visualizer.CtlPause, visualizer.CtlStep, visualizer.CtlSlower,
			visualizer.CtlFaster, visualizer.CtlAddActive, visualizer.CtlAddIdle, visualizer.CtlDrop},
		Injectors: []string{injStall, injResetTimer, injForgetCancel, injBurst},
	},
	"backpressure": {
		Server:        Room,
		ActiveClients: 3,
		Panes:         []visualizer.PaneID{visualizer.PaneBuffers, visualizer.PaneInterest},
		Controls: []visualizer.ControlID{visualizer.CtlPause, visualizer.CtlStep, visualizer.CtlAddActive,
			visualizer.CtlDrop},
		Injectors: []string{injSlowReader, injFlowControl, injDropSlow},
	},
	"go-net-is-a-reactor-too": {
		Server:   Compare,
		Panes:    []visualizer.PaneID{visualizer.PaneCompare},
		Controls: []visualizer.ControlID{visualizer.CtlAddActive, visualizer.CtlAddIdle, visualizer.CtlDrop},
	},
}

// lessonFile is the name of a lesson file: its number, then its slug.
var lessonFile = regexp.MustCompile(`^(\d\d)-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$`)

var (
	loadOnce sync.Once
	loaded   []*Lesson
)

// load reads every lesson file once, in file-name order. The files and
// the manifest are embedded, so an error is a bug in this package
// (TestManifest catches it): it panics like template.Must.
func load() []*Lesson {
	loadOnce.Do(func() {
		ls, err := readLessons(content, "content", scenarios)
		if err != nil {
			panic("lessons: " + err.Error())
		}
		loaded = ls
	})
	return loaded
}

// readLessons reads the lesson files in dir of fsys and pairs each with
// its scenario. Files are numbered 01, 02, ... and the numbers only grow;
// a number may be missing (the course's lessons are written apart, and
// each lesson keeps its number while the ones before it are not in yet).
// Every file has a scenario and every scenario a file.
func readLessons(fsys fs.FS, dir string, scenarios map[string]Scenario) ([]*Lesson, error) {
	ents, err := fs.ReadDir(fsys, dir) // sorted by name: the curriculum order
	if err != nil {
		return nil, err
	}
	var ls []*Lesson
	seen := map[string]bool{}
	for _, e := range ents {
		m := lessonFile.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("%s/%s: want a name like 01-some-slug.md", dir, e.Name())
		}
		file := path.Join(dir, e.Name())
		n, _ := strconv.Atoi(m[1])
		switch {
		case n < 1:
			return nil, fmt.Errorf("%s: lesson number %d; want numbers from 01", file, n)
		case len(ls) > 0 && n <= ls[len(ls)-1].number:
			return nil, fmt.Errorf("%s: lesson number %d after %02d; want each number once, in order", file, n, ls[len(ls)-1].number)
		}
		sc, ok := scenarios[m[2]]
		if !ok {
			return nil, fmt.Errorf("%s: no scenario for %q in manifest.go", file, m[2])
		}
		for _, id := range sc.Injectors {
			if _, ok := findInjector(id); !ok {
				return nil, fmt.Errorf("%s: scenario names injector %q, which injectors.go does not have", file, id)
			}
		}
		md, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, err
		}
		l := &Lesson{slug: m[2], file: file, number: n, scenario: sc}
		if l.title, l.summary, l.pages, err = parse(file, string(md)); err != nil {
			return nil, err
		}
		seen[m[2]] = true
		ls = append(ls, l)
	}
	for slug := range scenarios {
		if !seen[slug] {
			return nil, fmt.Errorf("manifest.go: scenario %q has no file %s/NN-%s.md", slug, dir, slug)
		}
	}
	return ls, nil
}

// Lessons returns the curriculum in order.
func Lessons() []*Lesson {
	return append([]*Lesson(nil), load()...)
}

// VisualizerLessons returns the curriculum as the visualizer's interface type.
func VisualizerLessons() []visualizer.Lesson {
	ls := load()
	out := make([]visualizer.Lesson, len(ls))
	for i, l := range ls {
		out[i] = l
	}
	return out
}

// Find looks a lesson up by its number or slug and returns its index in
// the manifest.
func Find(arg string) (int, *Lesson, error) {
	ls := load()
	arg = strings.TrimSpace(arg)
	if n, err := strconv.Atoi(arg); err == nil {
		for i, l := range ls {
			if l.number == n {
				return i, l, nil
			}
		}
	} else {
		for i, l := range ls {
			if l.slug == arg {
				return i, l, nil
			}
		}
	}
	return 0, nil, fmt.Errorf("no lesson %q; valid lessons: %s", arg, validList())
}

// validList names every lesson as "1 (slug), 2 (slug)".
func validList() string {
	var b strings.Builder
	for i, l := range load() {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d (%s)", l.number, l.slug)
	}
	return b.String()
}
