package visualizer

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
)

// KeyMap is every key binding of the lab, in the manner of bubbles'
// list.KeyMap: each screen keeps its own copy and enables the bindings
// that do something there (SetEnabled); a disabled binding neither matches
// a key nor shows in the footer or under ?. It implements help.KeyMap:
// ShortHelp is the footer, FullHelp the ? screen.
type KeyMap struct {
	// Always on: the App handles them before any screen does.
	Quit, Help key.Binding

	// Home.
	Up, Down, Open key.Binding

	// A lesson or an exercise.
	Back, PrevPage, NextPage, ScrollUp, ScrollDown, PageUp, PageDown key.Binding

	// Controls holds one binding per row of the control table, in its
	// order; a lesson enables the ones it offers.
	Controls []key.Binding
	// Injectors holds one binding per injector of the open lesson.
	Injectors []key.Binding
	// Timeline holds a replay's keys (play, step, speed, jumps, scrub);
	// empty elsewhere.
	Timeline []key.Binding

	// Asked are the keys the text on screen asks for (a lesson page's
	// `k`): the footer shows their bindings first.
	Asked []string

	// Demo holds a demo player's keys (next, back, restart, auto-play);
	// empty elsewhere.
	Demo []key.Binding
}

// DefaultKeyMap returns the lab's bindings, all enabled and no injectors.
func DefaultKeyMap() KeyMap {
	k := KeyMap{
		Quit:       key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Help:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Up:         key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "up")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓", "down")),
		Open:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		PrevPage:   key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "prev page")),
		NextPage:   key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "next page")),
		ScrollUp:   key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "scroll up")),
		ScrollDown: key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "scroll down")),
		PageUp:     key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up the text")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down the text")),
	}
	for _, c := range controlTable {
		k.Controls = append(k.Controls, c.bind)
	}
	return k
}

// screenKeys are the bindings a screen may enable, by name.
type screenKeys uint16

const (
	keysHome screenKeys = 1 << iota
	keysPages
	keysScroll
	keysBack
)

// only enables the shell's bindings in the groups on and disables the
// others (Quit and Help are always on; controls and injectors are set
// apart, by setControls and setInjectors).
func (k *KeyMap) only(on screenKeys) {
	k.Up.SetEnabled(on&keysHome != 0)
	k.Down.SetEnabled(on&keysHome != 0)
	k.Open.SetEnabled(on&keysHome != 0)
	k.Back.SetEnabled(on&keysBack != 0)
	k.PrevPage.SetEnabled(on&keysPages != 0)
	k.NextPage.SetEnabled(on&keysPages != 0)
	for _, b := range []*key.Binding{&k.ScrollUp, &k.ScrollDown, &k.PageUp, &k.PageDown} {
		b.SetEnabled(on&keysScroll != 0)
	}
}

// setControls enables the controls in ids and disables the rest. k's
// Controls must be its own (from DefaultKeyMap), not a copy's.
func (k *KeyMap) setControls(ids []ControlID) {
	for i, c := range controlTable {
		k.Controls[i].SetEnabled(slices.Contains(ids, c.id))
	}
}

// setInjectors binds the lesson's injectors (once: they do not change).
func (k *KeyMap) setInjectors(injs []Injector) {
	if len(k.Injectors) == len(injs) {
		return
	}
	k.Injectors = make([]key.Binding, len(injs))
	for i, inj := range injs {
		k.Injectors[i] = key.NewBinding(key.WithKeys(inj.Key), key.WithHelp(inj.Key, inj.Help))
	}
}

// ShortHelp is the footer: what works on this screen, most used first.
// After moving around, the keys the page on screen asks for; then a
// lesson's other injectors, which are what its pages are about; then the
// built-in controls. A narrow footer cuts from the end (every key is
// listed under ?). Help and Quit are left out: the footer pins them at
// the right.
func (k KeyMap) ShortHelp() []key.Binding {
	nav, asked, rest := k.shortHelpParts()
	return slices.Concat(nav, asked, rest)
}

// shortHelpCompact is ShortHelp for a footer too narrow to show, with
// their help, all the keys the page asks for: those keys become one item,
// key names only ("R M"), so that none of them is cut (the page says what
// each does).
func (k KeyMap) shortHelpCompact() []key.Binding {
	nav, asked, rest := k.shortHelpParts()
	if len(asked) == 0 {
		return slices.Concat(nav, rest)
	}
	var names []string
	for _, b := range asked {
		names = append(names, b.Help().Key)
	}
	both := key.NewBinding(key.WithKeys(names...), key.WithHelp(strings.Join(names, " "), "as the text says"))
	return slices.Concat(nav, []key.Binding{both}, rest)
}

// shortHelpParts splits the footer's bindings: moving around, the keys the
// page asks for, and the rest.
func (k KeyMap) shortHelpParts() (nav, asked, rest []key.Binding) {
	nav = []key.Binding{k.Up, k.Down, k.Open, k.PrevPage, k.NextPage, k.Back}
	if k.PrevPage.Enabled() && k.NextPage.Enabled() {
		nav = []key.Binding{k.Up, k.Down, k.Open, bothPages, k.Back} // one hint for the pair
	}
	isAsked := func(b key.Binding) bool {
		return b.Enabled() && slices.ContainsFunc(b.Keys(), func(s string) bool { return slices.Contains(k.Asked, s) })
	}
	for _, b := range slices.Concat(k.Injectors, k.Controls) {
		if isAsked(b) {
			asked = append(asked, b)
		} else {
			rest = append(rest, b)
		}
	}
	rest = slices.Concat(rest, k.Timeline, k.Demo)
	return nav, asked, rest
}

// bothPages is the footer's hint for ← and → together.
var bothPages = key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "page"))

// FullHelp is the ? screen, one column per group.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Open, k.Back},
		{k.PrevPage, k.NextPage, k.ScrollUp, k.ScrollDown, k.PageUp, k.PageDown},
		k.Controls,
		k.Injectors,
		k.Timeline,
		k.Demo,
		{k.Help, k.Quit},
	}
}

// checkInjectors reports an injector that could never be pressed: an ID
// that is not a stable name, or a key that another injector or one of the
// lab's own keys already takes.
func checkInjectors(owner string, injs []Injector) error {
	taken := map[string]string{}
	def := DefaultKeyMap()
	all := append([]key.Binding{def.Quit, def.Help, def.Up, def.Down, def.Open, def.Back,
		def.PrevPage, def.NextPage, def.ScrollUp, def.ScrollDown, def.PageUp, def.PageDown}, def.Controls...)
	for _, b := range all {
		for _, s := range b.Keys() {
			taken[s] = "the lab's " + b.Help().Desc
		}
	}
	ids := map[string]bool{}
	for _, inj := range injs {
		if !validID(inj.ID) {
			return fmt.Errorf("%s: injector ID %q: want lower-case words joined by dashes", owner, inj.ID)
		}
		if _, isCtl := findControl(ControlID(inj.ID)); isCtl || ids[inj.ID] {
			return fmt.Errorf("%s: injector ID %q is already taken", owner, inj.ID)
		}
		ids[inj.ID] = true
		if inj.Key == "" || inj.Help == "" || inj.Doc == "" {
			return fmt.Errorf("%s: injector %q needs a key, a help text and a line for ?", owner, inj.ID)
		}
		if by, ok := taken[inj.Key]; ok {
			return fmt.Errorf("%s: injector %q: key %q is already %s", owner, inj.ID, inj.Key, by)
		}
		taken[inj.Key] = "injector " + inj.ID
	}
	return nil
}
