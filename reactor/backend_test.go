package reactor

import (
	"errors"
	"slices"
	"testing"
)

func TestBackends(t *testing.T) {
	names := BackendNames()
	if len(names) == 0 || names[len(names)-1] != DefaultBackend() {
		t.Errorf("BackendNames() = %v; want the default %q last", names, DefaultBackend())
	}
	for _, b := range Backends() {
		if b.Name == "" || b.Wait == "" || b.Glyph == 0 || b.New == nil {
			t.Errorf("backend %+v: want a name, a wait syscall, a glyph and a constructor", b)
		}
		p, err := NewPoller(b.Name)
		if b.Available != (err == nil) {
			t.Errorf("NewPoller(%q) = %v; want it to work exactly when Available (%v)", b.Name, err, b.Available)
		}
		if err == nil {
			if p.Name() != b.Name {
				t.Errorf("NewPoller(%q).Name() = %q", b.Name, p.Name())
			}
			p.Close()
		}
	}
	if _, err := NewPoller("kqueue"); !errors.Is(err, ErrUnknownBackend) {
		t.Errorf("NewPoller(kqueue) = %v; want ErrUnknownBackend", err)
	}
}

// A backend added by RegisterBackend is listed in rank order, opened by
// NewPoller and usable by a loop; unregistering removes it again.
func TestRegisterBackend(t *testing.T) {
	fake := Backend{Name: "fakepoll", Wait: "poll", Glyph: 'f', Rank: 25, Available: true,
		New: func() (Poller, error) {
			p, err := newPollPoller()
			return renamed{p, "fakepoll"}, err
		}}
	undo := RegisterBackend(fake)
	names := BackendNames()
	if i := slices.Index(names, "fakepoll"); i < 0 || names[i-1] != "poll" {
		t.Fatalf("BackendNames() = %v; want fakepoll right after poll (rank 25)", names)
	}
	l, err := New(Config{Backend: "fakepoll"})
	if err != nil {
		t.Fatalf("New(fakepoll): %v", err)
	}
	if got := l.Backend(); got != "fakepoll" {
		t.Errorf("Backend() = %q; want fakepoll", got)
	}
	l.Close()
	undo()
	if slices.Contains(BackendNames(), "fakepoll") {
		t.Errorf("BackendNames() = %v after unregister; want no fakepoll", BackendNames())
	}
}

// renamed is a poller under another name.
type renamed struct {
	Poller
	name string
}

func (r renamed) Name() string { return r.name }
