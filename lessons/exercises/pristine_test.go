package exercises

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The embedded pristine stubs must equal the stubs COMMITTED in exercises/,
// and the catalog must list exactly the exercises on disk. A learner's edits
// to a stub in the working copy do not count: when a stub on disk differs from
// its pristine copy, the test asks git for the committed version and fails
// only if that differs too, i.e. a maintainer changed a stub and forgot
// `go generate ./lessons/exercises/`. Without git history (an unpacked
// tarball) such a difference cannot be told from a learner's edit, so the
// test skips.
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
	git, whyNot := openGit(root)
	var undecided []string
	for _, ex := range All {
		if names := stubNames(t, ex.Dir(root)); !slices.Equal(names, ex.Files) {
			// A learner may add a helper file; only the committed list counts.
			committed, err := git.stubNames(ex.Name)
			switch {
			case git == nil:
				undecided = append(undecided, fmt.Sprintf("stub files on disk %v, catalog %v", names, ex.Files))
			case err != nil:
				t.Errorf("%s: listing committed stubs: %v", ex.Name, err)
			case !slices.Equal(committed, ex.Files):
				t.Errorf("%s: committed stub files = %v; catalog says %v", ex.Name, committed, ex.Files)
			}
		}
		for _, f := range ex.Files {
			emb, err := Pristine(ex, f)
			if err != nil {
				t.Errorf("%v (run go generate ./lessons/exercises/)", err)
				continue
			}
			problem, ok := checkStub(root, git, ex.Name, f, emb)
			switch {
			case !ok:
				undecided = append(undecided, "exercises/"+ex.Name+"/"+f)
			case problem != "":
				t.Error(problem)
			}
		}
	}
	if len(undecided) > 0 {
		t.Skipf("cannot check the pristine copies: %s, and the working copy differs from them in %s (a learner's edits, or drift only git history could tell)", whyNot, strings.Join(undecided, ", "))
	}
}

// stubNames lists the non-test .go files in dir.
func stubNames(t *testing.T, dir string) []string {
	t.Helper()
	stubs, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range stubs {
		if !strings.HasSuffix(s, "_test.go") {
			names = append(names, filepath.Base(s))
		}
	}
	return names
}

// checkStub compares the embedded copy emb of exercises/name/file with the
// checkout at root. A working copy equal to emb is fine (a clean checkout, or
// a maintainer who regenerated before committing); otherwise the committed
// version decides, so a learner's edit is not drift. ok is false when the
// working copy differs and git is nil: nothing can be decided.
func checkStub(root string, git *gitRepo, name, file string, emb []byte) (problem string, ok bool) {
	rel := "exercises/" + name + "/" + file
	disk, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err == nil && bytes.Equal(disk, emb) {
		return "", true
	}
	if git == nil {
		return "", false
	}
	head, err := git.show(rel)
	if err != nil {
		return fmt.Sprintf("%s differs from the embedded pristine copy and has no committed version (%v): run `go generate ./lessons/exercises/`", rel, err), true
	}
	if !bytes.Equal(head, emb) {
		return fmt.Sprintf("%s as committed differs from the embedded pristine copy lessons/exercises/pristine/%s/%s.txt: run `go generate ./lessons/exercises/` and commit the result", rel, name, file), true
	}
	return "", true
}

// gitRepo reads committed files of the checkout at root.
type gitRepo struct{ bin, root string }

// openGit returns the checkout's git history, or nil and the reason it is
// unavailable.
func openGit(root string) (*gitRepo, string) {
	bin, err := exec.LookPath("git")
	if err != nil {
		return nil, "git is not installed"
	}
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		return nil, "there is no " + filepath.Join(root, ".git") + " (an unpacked tarball?)"
	}
	g := &gitRepo{bin: bin, root: root}
	if _, err := g.run("rev-parse", "--verify", "--quiet", "HEAD"); err != nil {
		return nil, "git has no HEAD commit in " + root
	}
	return g, ""
}

// show returns the committed content of the slash-separated path rel.
func (g *gitRepo) show(rel string) ([]byte, error) { return g.run("show", "HEAD:"+rel) }

// stubNames lists the committed non-test .go files of exercises/name.
func (g *gitRepo) stubNames(name string) ([]string, error) {
	if g == nil {
		return nil, nil
	}
	out, err := g.run("ls-tree", "--name-only", "HEAD", "exercises/"+name+"/")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if base := filepath.Base(line); strings.HasSuffix(base, ".go") && !strings.HasSuffix(base, "_test.go") {
			names = append(names, base)
		}
	}
	return names, nil
}

func (g *gitRepo) run(args ...string) ([]byte, error) {
	cmd := exec.Command(g.bin, args...)
	cmd.Dir = g.root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// checkStub tells a learner's edit from a maintainer's forgotten
// `go generate`, in a throwaway git repository.
func TestCheckStubUsesCommittedVersion(t *testing.T) {
	bin, err := exec.LookPath("git")
	if err != nil {
		t.Skipf("git not installed: %v", err)
	}
	root := t.TempDir()
	stub := filepath.Join(root, "exercises", "01_drain", "drain.go")
	if err := os.MkdirAll(filepath.Dir(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	shipped := []byte("package drain // TODO: shipped\n")
	if err := os.WriteFile(stub, shipped, 0o644); err != nil {
		t.Fatal(err)
	}
	g := &gitRepo{bin: bin, root: root}
	for _, args := range [][]string{
		{"init", "-q"},
		{"add", "exercises"},
		{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "stub"},
	} {
		if _, err := g.run(args...); err != nil {
			t.Fatal(err)
		}
	}
	solved := []byte("package drain // a learner's solution\n")
	tests := []struct {
		name        string
		git         *gitRepo
		disk, emb   []byte
		wantOK      bool
		wantProblem bool
	}{
		{"clean checkout", g, shipped, shipped, true, false},
		{"learner edited the stub", g, solved, shipped, true, false},
		{"stub committed without go generate", g, shipped, []byte("package drain // old\n"), true, true},
		{"maintainer regenerated before committing", g, solved, solved, true, false},
		{"no git, clean", nil, shipped, shipped, true, false},
		{"no git, edited", nil, solved, shipped, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(stub, tt.disk, 0o644); err != nil {
				t.Fatal(err)
			}
			problem, ok := checkStub(root, tt.git, "01_drain", "drain.go", tt.emb)
			if ok != tt.wantOK || (problem != "") != tt.wantProblem {
				t.Errorf("checkStub = %q, %v; want a problem: %v, ok: %v", problem, ok, tt.wantProblem, tt.wantOK)
			}
		})
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
