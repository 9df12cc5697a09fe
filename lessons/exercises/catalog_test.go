package exercises

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestFind(t *testing.T) {
	tests := []struct {
		arg  string
		want string // "" = not found
	}{
		{"1", "01_drain"}, {"01", "01_drain"}, {"01_drain", "01_drain"}, {"drain", "01_drain"},
		{"2", "02_select_loop"}, {"select_loop", "02_select_loop"},
		{"0", ""}, {"99", ""}, {"nope", ""},
	}
	for _, tc := range tests {
		ex, ok := Find(tc.arg)
		if got := ex.Name; ok != (tc.want != "") || got != tc.want {
			t.Errorf("Find(%q) = %q, %v; want %q", tc.arg, got, ok, tc.want)
		}
	}
}

func TestParseHints(t *testing.T) {
	md := []byte("# Hints\n\nintro\n\n## Hint 1\n\nnudge\n\n## Hint 2\n\nstronger\nstill\n")
	got := ParseHints(md)
	want := []string{"nudge", "stronger\nstill"}
	if !slices.Equal(got, want) {
		t.Errorf("ParseHints = %q; want %q", got, want)
	}
}

// Every exercise in the checkout has at least two hint tiers.
func TestHintsInCheckout(t *testing.T) {
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range All {
		tiers, err := Hints(root, ex)
		if err != nil || len(tiers) < 2 {
			t.Errorf("Hints(%s) = %d tiers, %v; want at least 2", ex.Name, len(tiers), err)
		}
	}
}

func TestFindRoot(t *testing.T) {
	dir := t.TempDir()
	deep := filepath.Join(dir, "exercises", "01_drain")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "exercises", "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := FindRoot(deep)
	if err != nil || got != dir {
		t.Errorf("FindRoot(%q) = %q, %v; want %q", deep, got, err, dir)
	}
	other := t.TempDir()
	if _, err := FindRoot(other); !errors.Is(err, ErrNoCheckout) {
		t.Errorf("FindRoot outside a checkout: err = %v; want ErrNoCheckout", err)
	}
}
