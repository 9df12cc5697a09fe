package exercises

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The embedded pristine stubs must equal the stubs in exercises/, and the
// catalog must list exactly the exercises on disk. When this fails after you
// changed a stub on purpose, run `go generate ./lessons/exercises/`. When it
// fails because you have been solving exercises in this checkout, reset them
// (reactorlab exercises reset N --yes) or use a clean checkout.
func TestPristineMatchesExercises(t *testing.T) {
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	dirRE := regexp.MustCompile(`^[0-9]{2}_[a-z0-9_]+$`)
	entries, err := os.ReadDir(filepath.Join(root, "exercises"))
	if err != nil {
		t.Fatal(err)
	}
	var onDisk, listed []string
	for _, e := range entries {
		if e.IsDir() && dirRE.MatchString(e.Name()) {
			onDisk = append(onDisk, e.Name())
		}
	}
	for _, ex := range All {
		listed = append(listed, ex.Name)
	}
	if !slices.Equal(onDisk, listed) {
		t.Errorf("exercises on disk = %v; catalog All lists %v; keep them in step (catalog.go)", onDisk, listed)
	}
	for _, ex := range All {
		stubs, _ := filepath.Glob(filepath.Join(ex.Dir(root), "*.go"))
		var names []string
		for _, s := range stubs {
			if !strings.HasSuffix(s, "_test.go") {
				names = append(names, filepath.Base(s))
			}
		}
		if !slices.Equal(names, ex.Files) {
			t.Errorf("%s: stub files on disk = %v; catalog says %v", ex.Name, names, ex.Files)
		}
		for _, f := range ex.Files {
			disk, err := os.ReadFile(filepath.Join(ex.Dir(root), f))
			if err != nil {
				t.Errorf("%v", err)
				continue
			}
			emb, err := Pristine(ex, f)
			if err != nil {
				t.Errorf("%v (run go generate ./lessons/exercises/)", err)
				continue
			}
			if !bytes.Equal(disk, emb) {
				t.Errorf("exercises/%s/%s differs from the embedded pristine copy: run `go generate ./lessons/exercises/` if the stub changed on purpose, or reset the exercise if you were solving it", ex.Name, f)
			}
		}
	}
}

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
