package lessons

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/reactorlab/reactorlab/visualizer"
)

// Scenario is the live part of a lesson: what runs beside the prose.
type Scenario struct {
	Backend       string // reactor backend at start ("" = reactor.DefaultBackend())
	Server        string // server protocol on the reactor: "echo", "chat", "discard" or "lookup" (lesson 3's Deferred chains)
	ActiveClients int    // simulated clients typing from the start
	IdleClients   int    // simulated clients connected but silent from the start
	Panes         []visualizer.PaneID
	Controls      visualizer.Controls
}

// manifest is the curriculum, in order. Each entry names its Markdown file;
// the title and pages come from that file.
var manifest = []*Lesson{
	{
		slug:    "one-process-many-connections",
		file:    "content/01-one-process-many-connections.md",
		summary: "an echo server on one loop: one fd per connection, and what \"ready\" means",
		scenario: Scenario{
			Server:        "echo",
			ActiveClients: 3,
			Panes: []visualizer.PaneID{
				visualizer.PaneReadiness, visualizer.PaneInterest,
				visualizer.PaneLoop, visualizer.PaneStalls,
			},
			Controls: visualizer.CtlPause | visualizer.CtlStep | visualizer.CtlSlow |
				visualizer.CtlAddActive | visualizer.CtlDrop | visualizer.CtlStall,
		},
	},
	{
		slug:    "select-and-the-1024-wall",
		file:    "content/02-select-and-the-1024-wall.md",
		summary: "select's fd sets, why each wait costs more as fds pile up, and fd 1024",
		scenario: Scenario{
			Backend:       "select",
			Server:        "echo",
			ActiveClients: 3,
			Panes: []visualizer.PaneID{
				visualizer.PaneReadiness, visualizer.PaneCost,
				visualizer.PaneCounters, visualizer.PaneInterest,
			},
			Controls: visualizer.CtlPause | visualizer.CtlStep | visualizer.CtlBackend |
				visualizer.CtlAddActive | visualizer.CtlAddIdle | visualizer.CtlDrop,
		},
	},
	{
		slug:    "deferreds-two-tracks",
		file:    "content/03-deferreds-two-tracks.md",
		summary: "a Deferred's two tracks, drawn live as a line server answers through chains",
		scenario: Scenario{
			Server:        lookupProtocol,
			ActiveClients: 2,
			Panes: []visualizer.PaneID{
				visualizer.PaneChain, visualizer.PaneStalls,
			},
			Controls: visualizer.CtlPause | visualizer.CtlStep | visualizer.CtlSlow |
				visualizer.CtlAddActive | visualizer.CtlDrop | visualizer.CtlStall,
		},
	},
}

var loadOnce sync.Once

// load parses every lesson file once. The files are embedded, so a parse
// error is a bug in this package (TestManifest catches it): it panics like
// template.Must.
func load() []*Lesson {
	loadOnce.Do(func() {
		for _, l := range manifest {
			md, err := content.ReadFile(l.file)
			if err != nil {
				panic("lessons: " + err.Error())
			}
			l.title, l.pages, err = parse(l.file, string(md))
			if err != nil {
				panic("lessons: " + err.Error())
			}
		}
	})
	return manifest
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

// Find looks a lesson up by its number (1-based) or slug and returns its
// index in the manifest.
func Find(arg string) (int, *Lesson, error) {
	ls := load()
	arg = strings.TrimSpace(arg)
	if n, err := strconv.Atoi(arg); err == nil {
		if n >= 1 && n <= len(ls) {
			return n - 1, ls[n-1], nil
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
		fmt.Fprintf(&b, "%d (%s)", i+1, l.slug)
	}
	return b.String()
}
