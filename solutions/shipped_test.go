package solutions_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/reactorlab/reactorlab/solutions/internal/grading"
)

// A learner who solved an exercise in this checkout must not break the
// honesty check: the tree it grades holds the shipped stub, not the learner's
// copy. This builds the tree from a simulated learner checkout (the solution
// written over the stub, plus an extra helper file) without running go test,
// so it stays fast and runs under -short too.
func TestShippedTreeIgnoresLearnerEdits(t *testing.T) {
	root := grading.Root(t)
	learner := t.TempDir()
	grading.CopyDir(t, filepath.Join(root, "exercises"), learner)
	for _, name := range exerciseNames(t, root) {
		t.Run(name, func(t *testing.T) {
			shipped := grading.ShippedStubs(t, name)
			for f := range shipped {
				sol, err := os.ReadFile(filepath.Join(root, "solutions", name, f))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(learner, name, f), sol, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			helper := filepath.Join(learner, name, "learner_helper.go")
			if err := os.WriteFile(helper, []byte("package broken !\n"), 0o644); err != nil {
				t.Fatal(err)
			}

			tr := grading.CopyTree(t, learner, root)
			tr.Shipped(t, name)

			for f, want := range shipped {
				got, err := os.ReadFile(filepath.Join(tr.Dir, name, f))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("graded tree's %s/%s is the learner's %d bytes; want the %d-byte shipped stub", name, f, len(got), len(want))
				}
			}
			if _, err := os.Stat(filepath.Join(tr.Dir, name, "learner_helper.go")); !os.IsNotExist(err) {
				t.Errorf("graded tree keeps the learner's extra file learner_helper.go (stat: %v); want only the shipped stubs", err)
			}
			tests, _ := filepath.Glob(filepath.Join(learner, name, "*_test.go"))
			if len(tests) == 0 {
				t.Fatalf("no test files in %s", name)
			}
			for _, f := range tests {
				if _, err := os.Stat(filepath.Join(tr.Dir, name, filepath.Base(f))); err != nil {
					t.Errorf("graded tree lacks test file %s: %v", filepath.Base(f), err)
				}
			}
			gomod, err := os.ReadFile(filepath.Join(tr.Dir, "go.mod"))
			if err != nil {
				t.Fatal(err)
			}
			if want := "=> " + root + "\n"; !bytes.Contains(gomod, []byte(want)) {
				t.Errorf("graded tree's go.mod lacks replace %q:\n%s", want, gomod)
			}
		})
	}
}
