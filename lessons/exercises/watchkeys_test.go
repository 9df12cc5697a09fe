package exercises

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
)

// helpKeys are the keys --help and the exercises README must name: every
// binding of the exercise screen (the dialogs' enter, esc and y show on
// screen when they apply).
func helpKeys() []key.Binding {
	k := newWatchKeys()
	return []key.Binding{k.Hint, k.Solution, k.Next, k.Output, k.Up, k.PageUp, k.List, k.Check, k.Reset, k.Quit}
}

// --help lists every key of the watch screen (it once left out s).
func TestKeyHelpNamesEveryKey(t *testing.T) {
	got := strings.Join(strings.Fields(KeyHelp()), " ")
	for _, b := range helpKeys() {
		if h := b.Help(); !strings.Contains(got, h.Key+" "+h.Desc) {
			t.Errorf("KeyHelp() lacks %q: %s", h.Key+" "+h.Desc, got)
		}
	}
	for _, line := range strings.Split(KeyHelp(), "\n") {
		if w := len([]rune(line)); w > 80 {
			t.Errorf("KeyHelp line is %d columns wide; want ≤ 80: %q", w, line)
		}
	}
}

// exercises/README.md names every key of watch mode too.
func TestReadmeNamesEveryWatchKey(t *testing.T) {
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "exercises", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, watch, ok := strings.Cut(string(b), "In watch mode:")
	if !ok {
		t.Fatal(`exercises/README.md has no "In watch mode:" paragraph`)
	}
	watch, _, _ = strings.Cut(watch, "\n\n")
	for _, b := range helpKeys() {
		if k := strings.Split(b.Help().Key, "/")[0]; !strings.Contains(watch, "`"+k) {
			t.Errorf("exercises/README.md's watch-mode paragraph does not name the key %s:\n%s", k, watch)
		}
	}
}

// A disabled binding neither matches nor shows in the footer.
func TestWatchKeysDisabled(t *testing.T) {
	m := newTestWatch(t, 0, fakeGrader())
	m = finish(m, failing)
	if m.keys.Solution.Enabled() || strings.Contains(footer(m), "solution") {
		t.Errorf("before a pass: solution enabled %v, footer %q; want it off and not shown", m.keys.Solution.Enabled(), footer(m))
	}
	if !strings.Contains(footer(m), "h hint") || !strings.Contains(footer(m), "q quit") {
		t.Errorf("footer %q lacks the hint or quit key", footer(m))
	}
	m, _ = press(t, m, "l")
	if m.keys.Hint.Enabled() || strings.Contains(footer(m), "hint") {
		t.Errorf("on the list: hint enabled %v, footer %q; want it off", m.keys.Hint.Enabled(), footer(m))
	}
}
