package visualizer

import (
	"reflect"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// fedPane is a pane of kind id after some frames of every sort: passes,
// registrations, stalls, late timers, a panic, an overflow, cost probes,
// Deferred chains and an interest-set snapshot.
func fedPane(id PaneID, frames int) pane {
	p := newPane(id)
	s := &synth{}
	s.register(4)
	now := t0
	feed := func(evs []reactor.TraceEvent) {
		now = now.Add(frameDur)
		p.Update(&frameMsg{Now: now, Events: evs, Backend: "epoll",
			Stats: reactor.Stats{Passes: uint64(s.pass), WaitCalls: uint64(s.pass), Backend: "epoll", LastLag: time.Millisecond}})
	}
	feed(s.take())
	p.Update(watchedMsg{At: now, List: []reactor.WatchInfo{{Fd: 3, Label: "listener", Interest: reactor.Readable}}})
	p.Update(chainMsg{Events: chainEvents()})
	for i := range frames {
		s.passes(3, 4, "epoll", 6)
		s.probe("epoll", 6)
		s.emit(reactor.TraceEvent{Kind: reactor.KindStall, Label: "slow", Dur: 80 * time.Millisecond})
		s.emit(reactor.TraceEvent{Kind: reactor.KindTimerFired, Label: "late", Dur: 20 * time.Millisecond})
		if i%5 == 0 {
			s.emit(reactor.TraceEvent{Kind: reactor.KindPanic, Label: "boom", Text: "panic: x"})
			s.emit(reactor.TraceEvent{Kind: reactor.KindOverflow, N: 3})
		}
		feed(s.take())
	}
	return p
}

// TestPaneClones checks every pane can be copied for the replay's
// checkpoints, the copy sharing nothing the pane will change: no map,
// slice or pointer reachable from both. A pane added without a clone
// method, or a new map or slice field the clone does not copy, fails here.
func TestPaneClones(t *testing.T) {
	for _, id := range AllPanes() {
		t.Run(id.String(), func(t *testing.T) {
			p := fedPane(id, 300) // past every ring's wrap
			c, ok := p.(cloner)
			if !ok {
				t.Fatalf("pane %s has no clone(): the replay cannot step back to it exactly (add one in replay_clone.go)", id)
			}
			cp := c.clone()
			if shared := sharedRefs(reflect.ValueOf(p), reflect.ValueOf(cp), id.String(), map[uintptr]bool{}); len(shared) > 0 {
				t.Errorf("the clone shares %v with the pane", shared)
			}
			// The copy shows what the pane showed, and keeps showing it
			// however the pane moves on.
			p.SetSize(60, 14)
			cp.SetSize(60, 14)
			want := p.View()
			if got := cp.View(); got != want {
				t.Fatalf("the clone shows\n%s\nthe pane shows\n%s", got, want)
			}
			s := &synth{at: 1 << 40}
			s.register(6)
			s.passes(300, 6, "poll", 9)
			p.Update(&frameMsg{Now: t0.Add(time.Hour), Events: s.take(), Backend: "poll"})
			p.Update(chainMsg{Events: chainEvents()[:3]})
			if got := cp.View(); got != want {
				t.Errorf("after the pane moved on, the clone shows\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// sharedRefs lists the paths of maps, slices (with room) and pointers
// that a and b both reach.
func sharedRefs(a, b reflect.Value, path string, seen map[uintptr]bool) []string {
	if a.Kind() != b.Kind() {
		return nil
	}
	var out []string
	switch a.Kind() {
	case reflect.Pointer, reflect.Map:
		if a.IsNil() || b.IsNil() {
			return nil
		}
		if a.Pointer() == b.Pointer() {
			return []string{path}
		}
		if seen[a.Pointer()] {
			return nil
		}
		seen[a.Pointer()] = true
		if a.Kind() == reflect.Pointer {
			return sharedRefs(a.Elem(), b.Elem(), path, seen)
		}
		for _, k := range a.MapKeys() {
			if bv := b.MapIndex(k); bv.IsValid() {
				out = append(out, sharedRefs(a.MapIndex(k), bv, path+"[key]", seen)...)
			}
		}
	case reflect.Slice:
		if a.Cap() > 0 && b.Cap() > 0 && a.Pointer() == b.Pointer() {
			return []string{path}
		}
		for i := range min(a.Len(), b.Len()) {
			out = append(out, sharedRefs(a.Index(i), b.Index(i), path+"[i]", seen)...)
		}
	case reflect.Array:
		for i := range a.Len() {
			out = append(out, sharedRefs(a.Index(i), b.Index(i), path+"[i]", seen)...)
		}
	case reflect.Struct:
		for i := range a.NumField() {
			out = append(out, sharedRefs(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name, seen)...)
		}
	case reflect.Interface:
		if !a.IsNil() && !b.IsNil() {
			out = append(out, sharedRefs(a.Elem(), b.Elem(), path, seen)...)
		}
	}
	return out
}
