package reactor

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Backend describes one readiness mechanism. It is the single place where a
// backend's facts are written down: the loop builds its poller from New, and
// the screen, the command line and the benchmarks read its name, its wait
// syscall and its glyph from here (as the Go runtime's netpoll.go states the
// per-platform contract once and each netpoll_*.go file fulfils it).
//
// Each backend's own file adds itself in an init function, so adding a
// backend is one file in this package plus its rows in the conformance
// table (poller_test.go runs every case on every available backend).
type Backend struct {
	// Name is what Config.Backend, SwitchBackend and --backend take:
	// "select", "poll", "epoll".
	Name string
	// Wait is the syscall one wait makes, as the kernel names it:
	// "select", "poll", "epoll_wait".
	Wait string
	// Ctl is the syscall a registration change costs, or "" when the
	// interest set lives in user space and a change makes no syscall
	// (select and poll hand the whole set to the kernel on every wait).
	Ctl string
	// Glyph is one letter for plots and legends: 's', 'p', 'e'.
	Glyph rune
	// Rank orders backends oldest (and costliest per wait) first; the
	// available backend with the highest rank is the default.
	Rank int
	// Available reports whether the backend runs on this OS. An
	// unavailable backend is listed so that the screen and the errors can
	// name it; its New reports why it cannot run (ErrLinuxOnly).
	Available bool
	// New opens a poller of this kind.
	New func() (Poller, error)
}

var registry struct {
	sync.RWMutex
	backends []Backend // sorted by Rank, then Name
}

// RegisterBackend adds b to the list Backends returns and NewPoller
// searches, replacing any backend of the same name. The backends of this
// package register themselves; tests use it to add a fake backend and the
// returned func to remove it again.
func RegisterBackend(b Backend) (unregister func()) {
	registry.Lock()
	defer registry.Unlock()
	registry.backends = slices.DeleteFunc(registry.backends, func(o Backend) bool { return o.Name == b.Name })
	registry.backends = append(registry.backends, b)
	slices.SortStableFunc(registry.backends, func(x, y Backend) int {
		return cmp.Or(cmp.Compare(x.Rank, y.Rank), strings.Compare(x.Name, y.Name))
	})
	return func() {
		registry.Lock()
		defer registry.Unlock()
		registry.backends = slices.DeleteFunc(registry.backends, func(o Backend) bool { return o.Name == b.Name })
	}
}

// Backends lists every known backend, oldest first, with whether it runs
// on this OS. Most callers want only the ones that do:
//
//	for _, b := range reactor.Backends() {
//		if b.Available { ... }
//	}
func Backends() []Backend {
	registry.RLock()
	defer registry.RUnlock()
	return slices.Clone(registry.backends)
}

// BackendNames lists the names of the backends available on this OS,
// oldest first ("select", "poll", "epoll" on Linux).
func BackendNames() []string {
	var names []string
	for _, b := range Backends() {
		if b.Available {
			names = append(names, b.Name)
		}
	}
	return names
}

// LookupBackend finds a backend by name, available or not.
func LookupBackend(name string) (Backend, bool) {
	for _, b := range Backends() {
		if b.Name == name {
			return b, true
		}
	}
	return Backend{}, false
}

// DefaultBackend is the best backend available on this platform: epoll on
// Linux, poll elsewhere.
func DefaultBackend() string {
	best := ""
	for _, b := range Backends() {
		if b.Available {
			best = b.Name
		}
	}
	return best
}

// NewPoller opens the named backend ("" = DefaultBackend).
func NewPoller(name string) (Poller, error) {
	if name == "" {
		name = DefaultBackend()
	}
	b, ok := LookupBackend(name)
	if !ok {
		return nil, fmt.Errorf("%w %q; this platform has %s", ErrUnknownBackend, name, strings.Join(BackendNames(), ", "))
	}
	return b.New()
}
