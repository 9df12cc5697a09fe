package exercises

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
)

// watchKeys is every key of the watch screen, in the manner of bubbles'
// KeyMaps (and of the lab's visualizer.KeyMap): updateKeys enables the
// bindings that do something on the screen being shown, and a disabled
// binding neither matches a key nor shows in the footer. The footer is
// help.ShortHelpView of ShortHelp; `reactorlab exercises watch --help`
// lists KeyHelp, so neither can leave a key out.
type watchKeys struct {
	// The exercise.
	Hint, Next, List, Reset, Solution, Check, Output key.Binding
	// Scrolling the text (test output, hints, the solution).
	Up, Down, PageUp, PageDown key.Binding
	// The list and the dialogs.
	Open, Back, Yes key.Binding
	Quit            key.Binding
}

func newWatchKeys() watchKeys {
	return watchKeys{
		Hint:     key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "hint")),
		Next:     key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next exercise")),
		List:     key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "list")),
		Reset:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reset")),
		Solution: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "solution")),
		Check:    key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check all")),
		Output:   key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "full test output")),
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "scroll")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup/pgdn", "page")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "space"), key.WithHelp("pgdn", "page down")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Yes:      key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes, reset it")),
		Quit:     key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// all lists every binding, for enabling them in bulk.
func (k *watchKeys) all() []*key.Binding {
	return []*key.Binding{&k.Hint, &k.Next, &k.List, &k.Reset, &k.Solution, &k.Check, &k.Output,
		&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Open, &k.Back, &k.Yes, &k.Quit}
}

// ShortHelp is the footer: the keys that work on this screen, most used
// first. Down shares Up's help ("↑/↓ scroll"); paging and Quit are left
// out: the footer pins Quit at the right, and --help lists the page keys.
func (k watchKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Hint, k.Solution, k.Next, k.Yes, k.Open, k.Up, k.Output,
		k.List, k.Check, k.Reset, k.Back}
}

// FullHelp is every key, in one column (help.KeyMap wants it).
func (k watchKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{append(k.ShortHelp(), k.PageUp, k.Quit)}
}

// KeyHelp lists the watch screen's keys, for `reactorlab exercises watch
// --help`: "h hint, s solution, ...", wrapped at 80 columns.
func KeyHelp() string {
	k := newWatchKeys()
	var parts []string
	for _, b := range []key.Binding{k.Hint, k.Solution, k.Next, k.Output, k.Up, k.PageUp, k.List, k.Check, k.Reset, k.Quit} {
		parts = append(parts, b.Help().Key+" "+b.Help().Desc)
	}
	return lipgloss.Wrap(strings.Join(parts, ", ")+".", 80, " ")
}
