package visualizer

import "charm.land/bubbles/v2/key"

// KeyMap holds every binding. Live-control bindings are enabled only where
// the lesson enables the control, so help and the footer never advertise a
// key that does nothing.
type KeyMap struct {
	Up, Down, Open, Back, Quit, Help         key.Binding
	PrevPage, NextPage, ScrollUp, ScrollDown key.Binding

	Pause, Step, Faster, Slower, Backend key.Binding
	AddActive, AddIdle, Drop, Stall      key.Binding
}

// DefaultKeyMap returns the bindings described in the issue.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:         key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "up")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓", "down")),
		Open:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Quit:       key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Help:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		PrevPage:   key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "prev page")),
		NextPage:   key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "next page")),
		ScrollUp:   key.NewBinding(key.WithKeys("up", "pgup"), key.WithHelp("↑/pgup", "scroll text")),
		ScrollDown: key.NewBinding(key.WithKeys("down", "pgdown"), key.WithHelp("↓/pgdn", "scroll text")),
		Pause:      key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "pause/resume")),
		Step:       key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "step one pass")),
		Slower:     key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "slower")),
		Faster:     key.NewBinding(key.WithKeys("-", "_"), key.WithHelp("-", "faster")),
		Backend:    key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "next backend")),
		AddActive:  key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "+10 active")),
		AddIdle:    key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "+100 idle")),
		Drop:       key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "drop clients")),
		Stall:      key.NewBinding(key.WithKeys("k"), key.WithHelp("k", "inject stall")),
	}
}

// liveBindings lists the control bindings enabled by c, in footer order.
func (k KeyMap) liveBindings(c Controls) []key.Binding {
	all := []struct {
		c Controls
		b key.Binding
	}{
		{CtlPause, k.Pause}, {CtlStep, k.Step}, {CtlSlow, k.Slower}, {CtlSlow, k.Faster},
		{CtlBackend, k.Backend}, {CtlAddActive, k.AddActive}, {CtlAddIdle, k.AddIdle},
		{CtlDrop, k.Drop}, {CtlStall, k.Stall},
	}
	var out []key.Binding
	for _, e := range all {
		if c.Has(e.c) {
			out = append(out, e.b)
		}
	}
	return out
}
