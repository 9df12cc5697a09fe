package visualizer

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"
)

var _ help.KeyMap = KeyMap{}

// A disabled binding neither matches nor shows: the footer filters
// nothing itself.
func TestKeyMapDisabledBindingsVanish(t *testing.T) {
	k := DefaultKeyMap()
	k.only(keysBack)
	k.setControls([]ControlID{CtlDrop})
	k.setInjectors(testInjectors[:1])
	if key.Matches(press("right"), k.NextPage) || key.Matches(press("space"), k.Controls...) {
		t.Errorf("a disabled binding matched")
	}
	if !key.Matches(press("x"), k.Controls...) || !key.Matches(press("k"), k.Injectors...) {
		t.Errorf("an enabled binding did not match")
	}
	got := ansi.Strip(help.New().ShortHelpView(k.ShortHelp()))
	if want := "esc back • k inject stall • x drop clients"; got != want {
		t.Errorf("ShortHelpView(ShortHelp()) = %q; want %q", got, want)
	}
	full := help.New().FullHelpView(k.FullHelp())
	for _, not := range []string{"next page", "pause/resume", "open"} {
		if strings.Contains(full, not) {
			t.Errorf("FullHelp shows disabled %q:\n%s", not, full)
		}
	}
}

// Each screen's KeyMap is its own: enabling a control in one copy leaves
// another untouched.
func TestKeyMapCopiesIndependent(t *testing.T) {
	a, b := DefaultKeyMap(), DefaultKeyMap()
	a.setControls(nil)
	if !b.Controls[0].Enabled() {
		t.Errorf("disabling a control in one KeyMap disabled it in another")
	}
}

func TestCheckInjectors(t *testing.T) {
	ok := Injector{ID: "partial-read", Key: "P", Help: "partial reads", Doc: "read 1 byte per event"}
	tests := []struct {
		name string
		injs []Injector
		want string // in the error; "" = none
	}{
		{"fine", []Injector{ok, testInjectors[0]}, ""},
		{"lab key", []Injector{{ID: "x1", Key: "q", Help: "h", Doc: "d"}}, `key "q" is already the lab's quit`},
		{"control key", []Injector{{ID: "x1", Key: "b", Help: "h", Doc: "d"}}, `key "b" is already the lab's next backend`},
		{"two on one key", []Injector{ok, {ID: "other", Key: "P", Help: "h", Doc: "d"}}, "already injector partial-read"},
		{"control ID", []Injector{{ID: "drop", Key: "D", Help: "h", Doc: "d"}}, `ID "drop" is already taken`},
		{"bad ID", []Injector{{ID: "Partial Read", Key: "D", Help: "h", Doc: "d"}}, "lower-case words"},
		{"no doc", []Injector{{ID: "x1", Key: "D", Help: "h"}}, "needs a key, a help text and a line"},
	}
	for _, tc := range tests {
		err := checkInjectors("lesson t", tc.injs)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: checkInjectors = %v; want %q", tc.name, err, tc.want)
		}
	}
}

// The keys the page on screen asks for come first in the footer, then
// the injectors, then the controls.
func TestShortHelpAskedFirst(t *testing.T) {
	k := DefaultKeyMap()
	k.only(keysBack)
	k.setControls([]ControlID{CtlPause, CtlDrop})
	k.setInjectors(testInjectors[:1])
	k.Asked = []string{"x", "nope"}
	got := ansi.Strip(help.New().ShortHelpView(k.ShortHelp()))
	if want := "esc back • x drop clients • k inject stall • space pause/resume"; got != want {
		t.Errorf("ShortHelpView(ShortHelp()) = %q; want %q", got, want)
	}
}
