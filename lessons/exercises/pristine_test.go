package exercises

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Reset writes the shipped stub over a learner's edits.
func TestReset(t *testing.T) {
	root := t.TempDir()
	ex := All[0]
	if err := os.MkdirAll(ex.Dir(root), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(ex.Dir(root), ex.Files[0])
	if err := os.WriteFile(path, []byte("package drain // my attempt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Reset(root, ex); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	got, _ := os.ReadFile(path)
	want, _ := Pristine(ex, ex.Files[0])
	if !bytes.Equal(got, want) || !bytes.Contains(got, []byte("// TODO:")) {
		t.Errorf("after Reset the stub is %d bytes; want the %d-byte shipped stub", len(got), len(want))
	}
}

// PristineStubs returns every embedded stub of an exercise, the same bytes
// Pristine gives per file.
func TestPristineStubs(t *testing.T) {
	for _, ex := range All {
		stubs, err := PristineStubs(ex.Name)
		if err != nil {
			t.Fatalf("PristineStubs(%q): %v", ex.Name, err)
		}
		var names []string
		for f := range stubs {
			names = append(names, f)
		}
		slices.Sort(names)
		if !slices.Equal(names, ex.Files) {
			t.Errorf("PristineStubs(%q) files = %v; want %v", ex.Name, names, ex.Files)
		}
		for f, b := range stubs {
			if want, _ := Pristine(ex, f); !bytes.Equal(b, want) {
				t.Errorf("PristineStubs(%q)[%q] differs from Pristine", ex.Name, f)
			}
		}
	}
	if _, err := PristineStubs("99_missing"); err == nil {
		t.Errorf("PristineStubs(\"99_missing\") succeeded; want an error")
	}
}
