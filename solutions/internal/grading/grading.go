// Package grading runs the exercises' graders the way a learner meets them,
// on code a learner might write. It copies the exercises module (a nested
// module) into a temporary directory whose replace directive points back at
// this checkout, lays a candidate over an exercise's stub — the shipped stub,
// the reference solution, or a wrong solution — and runs `go test -json`
// there, reading the result as `reactorlab exercises` does.
//
// The honesty check (solutions/check_test.go) uses it to show every shipped
// stub fails and every solution passes; each solutions/NN_topic/wrong_test.go
// uses [CheckWrong] to show the plausible wrong solutions fail too, with a
// message that names the mistake.
package grading

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/lessons/exercises"
)

// Timeout bounds one run of a grader's test binary (go test -timeout). Every
// call the graders make into a learner's code is guarded for a few seconds,
// so even a solution that hangs is reported well within it.
const Timeout = exercises.TestTimeout

// Root returns the checkout's root (where exercises/go.mod is), found from
// the test's working directory.
func Root(t testing.TB) string {
	t.Helper()
	root, err := exercises.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// Skip skips t when grading in child processes would only repeat work: under
// -short (it runs go test subprocesses), and under the race detector (the
// children are not built with it; the plain run covers them).
func Skip(t testing.TB) {
	t.Helper()
	switch {
	case testing.Short():
		t.Skip("skipping under -short: grading runs go test in a subprocess")
	case raceEnabled:
		t.Skip("skipping under -race: the graded test binaries are built without it, so the plain `go test` run covers this")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skipf("go command not found in PATH: %v", err)
	}
}

// Tree is a temporary copy of the exercises module.
type Tree struct {
	Dir  string // the module's directory: Dir/NN_topic/ is an exercise
	root string // the checkout it was copied from
}

// NewTree copies the exercises module of the checkout at root into a temp
// dir and points its replace directive at root.
func NewTree(t testing.TB, root string) *Tree {
	t.Helper()
	return CopyTree(t, filepath.Join(root, "exercises"), root)
}

// CopyTree copies the exercises module at src (which may be a learner's
// copy) into a temp dir and points its replace directive at the checkout
// root.
func CopyTree(t testing.TB, src, root string) *Tree {
	t.Helper()
	tr := &Tree{Dir: t.TempDir(), root: root}
	CopyDir(t, src, tr.Dir)
	gomod := filepath.Join(tr.Dir, "go.mod")
	b, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	const rel = "=> ../\n"
	if !bytes.Contains(b, []byte(rel)) {
		t.Fatalf("exercises/go.mod has no %q replace directive to rewrite", strings.TrimSpace(rel))
	}
	b = bytes.Replace(b, []byte(rel), []byte("=> "+root+"\n"), 1)
	if err := os.WriteFile(gomod, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return tr
}

// Shipped puts exercise name back as shipped: the learner's stub files
// (every non-test .go file) are replaced by the stubs embedded in
// lessons/exercises, the ones reset restores. Tests and READMEs stay as they
// are in the copy.
func (tr *Tree) Shipped(t testing.TB, name string) {
	t.Helper()
	dir := filepath.Join(tr.Dir, name)
	learner, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range learner {
		if !strings.HasSuffix(f, "_test.go") {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	for f, b := range ShippedStubs(t, name) {
		tr.Put(t, name, f, b)
	}
}

// Put writes src as file of exercise name, over whatever is there.
func (tr *Tree) Put(t testing.TB, name, file string, src []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(tr.Dir, name, file), src, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Solution returns the reference solution's copy of file of exercise name.
func (tr *Tree) Solution(t testing.TB, name, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(tr.root, "solutions", name, file))
	if err != nil {
		t.Fatalf("solution for %s/%s: %v", name, file, err)
	}
	return b
}

// Test runs `go test -json -count=1 -timeout=Timeout` on pkg ("./01_drain/")
// in the tree, the way `reactorlab exercises` grades (exercises.TestRun: the
// go command and the test binary in a process group of their own, killed
// whole if the run overstays), and returns the parsed result and everything
// go test printed.
func (tr *Tree) Test(t testing.TB, pkg string) (exercises.Result, string) {
	t.Helper()
	res, err := exercises.TestRun{Dir: tr.Dir, Pkg: pkg, Timeout: Timeout}.Run(context.Background())
	if err != nil {
		t.Fatalf("go test %s in %s: %v", pkg, tr.Dir, err)
	}
	if res.Stopped != "" {
		t.Fatalf("go test %s in %s: %s\n%s", pkg, tr.Dir, res.Stopped, res.Log)
	}
	return res, res.Log
}

// ShippedStubs returns exercise name's stubs as shipped: the copies embedded
// in lessons/exercises, keyed by file name.
func ShippedStubs(t testing.TB, name string) map[string][]byte {
	t.Helper()
	stubs, err := exercises.PristineStubs(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return stubs
}

// CopyDir copies the regular files and directories under src into dst.
func CopyDir(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
}
