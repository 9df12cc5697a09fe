package demos

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/reactorlab/reactorlab/lessons"
	"github.com/reactorlab/reactorlab/reactor/record"
	"github.com/reactorlab/reactorlab/visualizer"
	"golang.org/x/sys/unix"
)

//go:embed *.demo
var embedded embed.FS

// demoFile is the name of an embedded demo: its number, then its name.
var demoFile = regexp.MustCompile(`^(\d\d)-([a-z0-9]+(?:-[a-z0-9]+)*)\.demo$`)

// Info describes an embedded demo for the list.
type Info struct {
	Number int    // from its file name: 1 for 01-one-process.demo
	Name   string // "one-process"
	Title  string // the claim it shows
	Lesson string // the slug of the lesson whose scenario it runs
	Steps  int
	// Unavailable says why it cannot be played here ("" = it can): it
	// needs a backend this system does not have, or a lesson this build
	// lacks (TestEmbeddedDemos keeps the latter from shipping).
	Unavailable string
}

// Options adjust how a demo runs.
type Options struct {
	// MaxClients caps the simulated clients alive at once, below what the
	// open-file limit allows (tests under the race detector, which allows
	// 8128 goroutines, use it). 0 = what the limit allows.
	MaxClients int
	// Record, if not nil, records the demo's first run into a file.
	Record *Recording
}

// Recording asks Load to record a demo's first run: its scenario's first
// start, until the player closes it. A step back or a restart (which start
// the scenario afresh) and --loop's later rounds are not recorded, so the
// file holds one run from its beginning.
type Recording struct {
	Path    string // the file to write
	Program string // names the recording program in the file's header

	rl *lessons.RecordedLesson // set by Load
}

// Finish waits for the recording to be complete and reports what it
// holds (nothing if the scenario never started). Call it once the player
// is done.
func (r *Recording) Finish() (record.RecorderTotals, error) {
	if r.rl == nil {
		return record.RecorderTotals{}, nil
	}
	return r.rl.Finish()
}

// entry is one embedded file.
type entry struct {
	number int
	name   string
	file   string
}

// entries lists the embedded demos in file-name order. The names are
// checked by TestEmbeddedDemos.
func entries() ([]entry, error) {
	ents, err := fs.ReadDir(embedded, ".")
	if err != nil {
		return nil, err
	}
	var out []entry
	for _, e := range ents {
		m := demoFile.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("lessons/demos/%s: want a name like 01-some-name.demo", e.Name())
		}
		n, _ := strconv.Atoi(m[1])
		out = append(out, entry{number: n, name: m[2], file: e.Name()})
	}
	return out, nil
}

// List describes every embedded demo, in order. A demo that cannot be
// played here (epoll off Linux) is listed with the reason, so one demo
// never hides the others.
func List() ([]Info, error) {
	es, err := entries()
	if err != nil {
		return nil, err
	}
	var out []Info
	for _, e := range es {
		info := Info{Number: e.number, Name: e.name}
		if sc, err := readEmbedded(e); err != nil {
			info.Unavailable = err.Error()
			info.Title, info.Lesson = peek(e, "title"), peek(e, "lesson")
		} else {
			info.Title, info.Lesson, info.Steps = sc.demo.Title, sc.lesson.Slug(), len(sc.demo.Steps)
		}
		out = append(out, info)
	}
	return out, nil
}

// peek is the rest of the first line of e that starts with word (what a
// list can still say about a demo that does not run here).
func peek(e entry, word string) string {
	src, _ := fs.ReadFile(embedded, e.file)
	for _, line := range strings.Split(string(src), "\n") {
		if w, rest, _ := strings.Cut(strings.TrimSpace(line), " "); w == word {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}

func readEmbedded(e entry) (*script, error) {
	src, err := fs.ReadFile(embedded, e.file)
	if err != nil {
		return nil, err
	}
	sc, err := parse(e.file, string(src))
	if err != nil {
		return nil, err
	}
	sc.demo.Name = e.name
	return sc, nil
}

// ErrNoDemo is a name or number that is no embedded demo.
var ErrNoDemo = errors.New("no such demo")

// Load reads the embedded demo named by arg (its number or its name) and
// makes it ready to play.
func Load(arg string, opt Options) (*visualizer.Demo, error) {
	es, err := entries()
	if err != nil {
		return nil, err
	}
	arg = strings.TrimSpace(arg)
	n, numErr := strconv.Atoi(arg)
	var names []string
	for _, e := range es {
		if e.name == arg || (numErr == nil && e.number == n) {
			sc, err := readEmbedded(e)
			if err != nil {
				return nil, err
			}
			return ready(sc, opt), nil
		}
		names = append(names, fmt.Sprintf("%d (%s)", e.number, e.name))
	}
	return nil, fmt.Errorf("%w %q; the demos are %s", ErrNoDemo, arg, strings.Join(names, ", "))
}

// LoadFile reads a demo script from a file (a teacher's own) and makes it
// ready to play. Its name is the file's, without ".demo".
func LoadFile(file string, opt Options) (*visualizer.Demo, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return Parse(file, string(src), opt)
}

// Parse reads a demo script; file names it in errors ("my.demo:12: ...").
// Every error is a *ScriptError naming the line.
func Parse(file, src string, opt Options) (*visualizer.Demo, error) {
	sc, err := parse(file, src)
	if err != nil {
		return nil, err
	}
	sc.demo.Name = strings.TrimSuffix(path.Base(file), ".demo")
	return ready(sc, opt), nil
}

// ready gives the demo its Start and says what this machine allows, when
// that is less than the demo asks for.
func ready(sc *script, opt Options) *visualizer.Demo {
	d := sc.demo
	room, soft := clientRoom()
	most := room
	if opt.MaxClients > 0 && opt.MaxClients < most {
		most = opt.MaxClients
	}
	if sc.clients > most {
		why := fmt.Sprintf("this machine allows %d open files (ulimit -n), two per client", soft)
		if most < room {
			why = "capped for this run"
		}
		d.Notice = fmt.Sprintf("at most %d of this demo's %d clients can connect here: %s", most, sc.clients, why)
	}
	d.Start = scenario(sc.index, lessons.Limits{MaxClients: most}, opt.Record)
	return d
}

// scenario is the one place a demo's scenario starts: lesson i's, with
// its simulated clients held to lim, its first start recorded by rec if
// that is not nil. The player calls it at the start, on ← and on r, each
// time after closing the previous one.
func scenario(i int, lim lessons.Limits, rec *Recording) func(context.Context) (visualizer.Live, error) {
	l := lessons.CappedLessons(lim)[i]
	if rec != nil {
		rec.rl = lessons.RecordFirstStart(l, rec.Path, rec.Program)
		return rec.rl.Start
	}
	return l.Start
}

// filesReserve is kept for the process itself besides the clients: the
// terminal, the Go runtime's poller, the loop's poller and waker, the
// listener and its reserve fd, injected pipes.
const filesReserve = 64

// clientRoom is how many simulated clients this process can hold at once
// (each costs two fds, its end and the server's, both here) and the soft
// RLIMIT_NOFILE, raised to the hard limit first as the lessons do.
func clientRoom() (clients int, soft uint64) {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		return 1 << 20, 0 // cannot tell: the lesson's own cap and errors will say
	}
	if rl.Cur < rl.Max {
		raised := rl
		raised.Cur = rl.Max
		if unix.Setrlimit(unix.RLIMIT_NOFILE, &raised) == nil {
			rl = raised
		}
	}
	open := 0
	if ents, err := os.ReadDir("/dev/fd"); err == nil {
		open = len(ents)
	}
	room := (int64(rl.Cur) - int64(open) - filesReserve) / 2
	return int(max(0, min(room, 1<<30))), uint64(rl.Cur)
}
