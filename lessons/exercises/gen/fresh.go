package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// checkFresh reports what is stale in the checkout at root: generated files
// that differ from what gen would write now. It is what main_test.go runs.
//
// A difference in the working copy is not always a mistake: a learner who
// solved an exercise has a stub that differs from its embedded copy, and a
// learner's notes in a README change the task. Only git history can tell that
// from a maintainer who forgot `go generate`, so when the working copy
// differs, the committed sources must generate the committed files instead.
// Without git (an unpacked tarball) nothing can be decided: skip says why.
func checkFresh(root string) (problems []string, skip string) {
	outs, err := generate(os.DirFS(root))
	var differ []string
	if err != nil {
		differ = append(differ, err.Error())
	} else {
		differ = compare(os.DirFS(root), outs)
	}
	if len(differ) == 0 {
		return nil, ""
	}
	head, whyNot := openGit(root)
	if head == nil {
		return nil, fmt.Sprintf("the working copy differs from what go generate would write (%s), and %s to tell a learner's edits from drift", strings.Join(differ, "; "), whyNot)
	}
	outs, err = generate(head)
	if err != nil {
		return []string{fmt.Sprintf("the committed exercises do not generate: %v", err)}, ""
	}
	for _, p := range compare(head, outs) {
		problems = append(problems, p+" (as committed): run `go generate ./...` and commit the result")
	}
	return problems, ""
}

// compare lists the generated files that fsys does not hold as generated,
// and the files in pristine/ that gen would not write.
func compare(fsys fs.FS, outs []output) []string {
	var differ []string
	want := map[string]bool{}
	for _, o := range outs {
		want[o.path] = true
		got, err := fs.ReadFile(fsys, o.path)
		switch {
		case err != nil:
			differ = append(differ, o.path+" is missing")
		case !bytes.Equal(got, o.data):
			differ = append(differ, o.path+" is stale")
		}
	}
	for _, p := range files(fsys, pristineDir) {
		if !want[p] {
			differ = append(differ, p+" is left over")
		}
	}
	return differ
}

// files lists the files under dir, recursively (fs.WalkDir needs Stat,
// which gitFS does not offer).
func files(fsys fs.FS, dir string) []string {
	entries, _ := fs.ReadDir(fsys, dir)
	var out []string
	for _, e := range entries {
		p := dir + "/" + e.Name()
		if e.IsDir() {
			out = append(out, files(fsys, p)...)
		} else {
			out = append(out, p)
		}
	}
	return out
}

// gitFS reads the files of the HEAD commit of the checkout at root; it
// implements just what generate and compare use (fs.ReadFileFS and
// fs.ReadDirFS).
type gitFS struct{ bin, root string }

// openGit returns the checkout's HEAD commit as a file system, or nil and
// the reason it is unavailable.
func openGit(root string) (*gitFS, string) {
	bin, err := exec.LookPath("git")
	if err != nil {
		return nil, "git is not installed"
	}
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		return nil, "there is no " + filepath.Join(root, ".git") + " (an unpacked tarball?)"
	}
	g := &gitFS{bin: bin, root: root}
	if _, err := g.run("rev-parse", "--verify", "--quiet", "HEAD"); err != nil {
		return nil, "git has no HEAD commit in " + root
	}
	return g, ""
}

// Open is not supported: gitFS serves whole files and directory listings.
func (g *gitFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: errors.ErrUnsupported}
}

// ReadFile returns the committed content of name.
func (g *gitFS) ReadFile(name string) ([]byte, error) {
	b, err := g.run("show", "HEAD:./"+name)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	return b, nil
}

// ReadDir lists the committed entries of directory name, sorted by name.
func (g *gitFS) ReadDir(name string) ([]fs.DirEntry, error) {
	out, err := g.run("ls-tree", "HEAD", name+"/")
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	var entries []fs.DirEntry
	for line := range strings.Lines(string(out)) {
		// "<mode> <type> <object>\t<path>"
		meta, p, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
		if !ok {
			continue
		}
		entries = append(entries, gitEntry{name: path.Base(p), dir: strings.Contains(meta, " tree ")})
	}
	if len(entries) == 0 {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries, nil
}

func (g *gitFS) run(args ...string) ([]byte, error) {
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

// gitEntry is one entry of a committed directory.
type gitEntry struct {
	name string
	dir  bool
}

func (e gitEntry) Name() string { return e.name }
func (e gitEntry) IsDir() bool  { return e.dir }
func (e gitEntry) Type() fs.FileMode {
	if e.dir {
		return fs.ModeDir
	}
	return 0
}
func (e gitEntry) Info() (fs.FileInfo, error) { return nil, errors.ErrUnsupported }
