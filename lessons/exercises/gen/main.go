// Command gen derives everything that repeats an exercise's facts from the
// one place they live: the front matter at the top of
// exercises/NN_topic/README.md (title, lesson slug, the files a learner
// edits) and the title line of the lesson it follows
// (lessons/content/NN-slug.md). Run it with
//
//	go generate ./lessons/exercises/    (or go generate ./... from the root)
//
// It works from the package directory and writes:
//
//   - lessons/exercises/catalog_gen.go: All, the runner's catalog;
//   - lessons/exercises/pristine/NN_topic/: the shipped stubs (FILE.go.txt),
//     which `reactorlab exercises reset` restores, and task.md, the README
//     without its front matter, which the home screen shows;
//   - exercises/NN_topic/README.md: the generated heading (number, title,
//     lesson) and grading section around the hand-written task;
//   - exercises/NN_topic/lesson_gen_test.go: revisit, the line that ends
//     every failure message and points back to the lesson;
//   - exercises/README.md: the table of exercises.
//
// Files are rewritten only when their content changes, so watch mode does
// not re-grade for nothing. main_test.go fails when any of them is stale.
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

func main() {
	const root = "../.."
	outs, err := generate(os.DirFS(root))
	if err == nil {
		err = write(root, outs)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// output is one generated file: its slash-separated path from the
// repository root and its content.
type output struct {
	path string
	data []byte
}

// pristineDir holds the embedded copies; gen owns it whole and rebuilds it.
const pristineDir = "lessons/exercises/pristine"

var exerciseDirRE = regexp.MustCompile(`^([0-9]{2})_[a-z0-9_]+$`)

// exercise is everything gen knows about one exercise folder.
type exercise struct {
	Number int
	Name   string // "01_drain"
	Pkg    string // the package its tests are in
	front
	Lesson lesson
	readme []byte // README.md as it is on disk
	body   []byte // README.md after the front matter
}

// generate reads a checkout (fsys holds its root) and returns every file gen
// writes.
func generate(fsys fs.FS) ([]output, error) {
	lessons, err := readLessons(fsys, "lessons/content")
	if err != nil {
		return nil, err
	}
	exs, err := readExercises(fsys, lessons)
	if err != nil {
		return nil, err
	}
	var outs []output
	for _, ex := range exs {
		readme, task := exerciseReadme(ex)
		outs = append(outs,
			output{"exercises/" + ex.Name + "/README.md", readme},
			output{"exercises/" + ex.Name + "/lesson_gen_test.go", revisitFile(ex)},
			output{pristineDir + "/" + ex.Name + "/task.md", task},
		)
		for _, f := range ex.Files {
			b, err := fs.ReadFile(fsys, "exercises/"+ex.Name+"/"+f)
			if err != nil {
				return nil, err
			}
			outs = append(outs, output{pristineDir + "/" + ex.Name + "/" + f + ".txt", b})
		}
	}
	index, err := fs.ReadFile(fsys, "exercises/README.md")
	if err != nil {
		return nil, err
	}
	index, err = setBlock(index, tableBlock, exerciseTable(exs), nil)
	if err != nil {
		return nil, fmt.Errorf("exercises/README.md: %w", err)
	}
	catalog, err := catalogFile(exs)
	if err != nil {
		return nil, err
	}
	return append(outs,
		output{"exercises/README.md", index},
		output{"lessons/exercises/catalog_gen.go", catalog},
	), nil
}

// readExercises reads every exercises/NN_topic/ folder in order. They must
// be numbered 01, 02, ... without gaps: the number is how learners name them.
func readExercises(fsys fs.FS, lessons map[string]lesson) ([]exercise, error) {
	entries, err := fs.ReadDir(fsys, "exercises")
	if err != nil {
		return nil, err
	}
	var exs []exercise
	for _, e := range entries {
		m := exerciseDirRE.FindStringSubmatch(e.Name())
		if !e.IsDir() || m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if want := len(exs) + 1; n != want {
			return nil, fmt.Errorf("exercises/%s: want number %02d next (exercises are numbered 01, 02, ... without gaps)", e.Name(), want)
		}
		ex, err := readExercise(fsys, e.Name(), lessons)
		if err != nil {
			return nil, err
		}
		ex.Number = n
		exs = append(exs, ex)
	}
	if len(exs) == 0 {
		return nil, fmt.Errorf("no exercises (NN_topic folders) in exercises/")
	}
	return exs, nil
}

func readExercise(fsys fs.FS, name string, lessons map[string]lesson) (exercise, error) {
	dir := "exercises/" + name
	ex := exercise{Name: name}
	var err error
	if ex.readme, err = fs.ReadFile(fsys, dir+"/README.md"); err != nil {
		return ex, err
	}
	if ex.front, ex.body, err = parseFront(ex.readme); err != nil {
		return ex, fmt.Errorf("exercises/%s/README.md: %w", name, err)
	}
	var ok bool
	if ex.Lesson, ok = lessons[ex.front.Lesson]; !ok {
		return ex, fmt.Errorf("exercises/%s/README.md: lesson %q is not a lesson; want one of %s (lessons/content/NN-slug.md)", name, ex.front.Lesson, slugs(lessons))
	}
	if err := checkStubs(fsys, dir, ex.Files); err != nil {
		return ex, fmt.Errorf("exercises/%s: %w", name, err)
	}
	if ex.Pkg, err = testPackage(fsys, dir); err != nil {
		return ex, fmt.Errorf("exercises/%s: %w", name, err)
	}
	return ex, nil
}

// checkStubs makes sure files names every stub in dir (every non-test .go
// file) and nothing else: reset restores exactly these, and the honesty check
// grades exactly these.
func checkStubs(fsys fs.FS, dir string, files []string) error {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return err
	}
	var stubs []string
	for _, e := range entries {
		if n := e.Name(); !e.IsDir() && strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
			stubs = append(stubs, n)
		}
	}
	for _, f := range files {
		if !slices.Contains(stubs, f) {
			return fmt.Errorf("README.md lists %s in files, but there is no such file", f)
		}
	}
	for _, s := range stubs {
		if !slices.Contains(files, s) {
			return fmt.Errorf("%s is not listed in README.md's files: (list every stub a learner edits)", s)
		}
	}
	return nil
}

// testPackage returns the package clause of the folder's hand-written tests,
// which the generated revisit file must share.
func testPackage(fsys fs.FS, dir string) (string, error) {
	tests, err := fs.Glob(fsys, dir+"/*_test.go")
	if err != nil {
		return "", err
	}
	for _, name := range tests {
		if path.Base(name) == "lesson_gen_test.go" {
			continue
		}
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return "", err
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.PackageClauseOnly)
		if err != nil {
			return "", err
		}
		return f.Name.Name, nil
	}
	return "", fmt.Errorf("no tests (*_test.go): an exercise is graded by its tests")
}

// GradeCommand is the one command that grades exercise name.
func gradeCommand(name string) string { return "cd exercises && go test ./" + name + "/" }

// The generated blocks in the READMEs.
const (
	headingBlock = "heading"
	gradingBlock = "grading"
	tableBlock   = "exercise table"
)

// exerciseReadme returns the exercise's README with its generated heading
// and grading blocks brought up to date (added if missing), and the task the
// home screen shows: that README without front matter and block markers.
func exerciseReadme(ex exercise) (readme, task []byte) {
	frontLen := len(ex.readme) - len(ex.body)
	heading := fmt.Sprintf("# %02d · %s\n\nFollows lesson %d, **%s** (`reactorlab lesson %d`).\n",
		ex.Number, ex.Title, ex.Lesson.Number, ex.Lesson.Title, ex.Lesson.Number)
	grading := fmt.Sprintf("## Grade it\n\nFrom the repository root:\n\n```\n%s\n```\n\n"+
		"Stuck? `HINTS.md` has hints, mildest first (`reactorlab exercises hint %d`, or `h` in\n`reactorlab exercises watch`).\n",
		gradeCommand(ex.Name), ex.Number)
	body, _ := setBlock(ex.body, headingBlock, heading, func([]byte) int { return 0 })
	body, _ = setBlock(body, gradingBlock, grading, func(b []byte) int { return len(b) })
	readme = append(append([]byte(nil), ex.readme[:frontLen]...), body...)

	var t bytes.Buffer
	for line := range bytes.Lines(body) {
		if !bytes.HasPrefix(line, []byte("<!-- BEGIN generated ")) && !bytes.HasPrefix(line, []byte("<!-- END generated ")) {
			t.Write(line)
		}
	}
	return readme, bytes.TrimLeft(t.Bytes(), "\n")
}

// setBlock replaces the generated block called name in doc with content,
// between its marker lines. A missing block is inserted at the offset place
// returns (surrounded by blank lines), or is an error when place is nil.
func setBlock(doc []byte, name, content string, place func([]byte) int) ([]byte, error) {
	begin := "<!-- BEGIN generated " + name
	end := "<!-- END generated " + name + " -->"
	block := fmt.Sprintf("%s (go generate ./lessons/exercises/ writes it; edit the front matter instead) -->\n%s%s\n", begin, content, end)
	i := bytes.Index(doc, []byte("\n"+begin))
	j := bytes.Index(doc, []byte("\n"+end+"\n"))
	if i >= 0 && j > i {
		return bytes.Join([][]byte{doc[:i+1], []byte(block), doc[j+len(end)+2:]}, nil), nil
	}
	if bytes.HasPrefix(doc, []byte(begin)) && j > 0 {
		return append([]byte(block), doc[j+len(end)+2:]...), nil
	}
	if place == nil {
		return nil, fmt.Errorf("no generated %s block: put the lines %q and %q where it belongs", name, begin+" -->", end)
	}
	at := place(doc)
	before := bytes.TrimRight(doc[:at], "\n")
	after := bytes.TrimLeft(doc[at:], "\n")
	var b bytes.Buffer
	if len(before) > 0 {
		b.Write(before)
		b.WriteString("\n\n")
	} else {
		b.WriteString("\n")
	}
	b.WriteString(block)
	if len(after) > 0 {
		b.WriteString("\n")
		b.Write(after)
	}
	return b.Bytes(), nil
}

// exerciseTable is the table in exercises/README.md.
func exerciseTable(exs []exercise) string {
	var b strings.Builder
	b.WriteString("| # | exercise | follows | grade it |\n|---|---|---|---|\n")
	for _, ex := range exs {
		fmt.Fprintf(&b, "| %d | `%s` — %s | lesson %d, %s | `%s` |\n", ex.Number, ex.Name,
			strings.ReplaceAll(ex.Title, "|", `\|`), ex.Lesson.Number, strings.ReplaceAll(ex.Lesson.Title, "|", `\|`), gradeCommand(ex.Name))
	}
	return b.String()
}

// revisitFile is exercises/NN_topic/lesson_gen_test.go.
func revisitFile(ex exercise) []byte {
	revisit := fmt.Sprintf("\n\tRevisit: lesson %d, %q (reactorlab lesson %d); HINTS.md has hints.", ex.Lesson.Number, ex.Lesson.Title, ex.Lesson.Number)
	return fmt.Appendf(nil, `// Code generated by "go generate ./lessons/exercises/" from README.md's front matter; DO NOT EDIT.

package %s

// revisit ends every failure message: the lesson this exercise follows.
const revisit = %s
`, ex.Pkg, strconv.Quote(revisit))
}

// catalogFile is lessons/exercises/catalog_gen.go.
func catalogFile(exs []exercise) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`// Code generated by "go generate ./lessons/exercises/" from exercises/*/README.md front matter
// and lessons/content/*.md title lines; DO NOT EDIT.

package exercises

// All lists the exercises in the order a learner should do them.
var All = []Exercise{
`)
	for _, ex := range exs {
		fmt.Fprintf(&b, "{\nName: %q,\nTitle: %q,\nLesson: Lesson{Number: %d, Slug: %q, Title: %q},\nFiles: %#v,\n},\n",
			ex.Name, ex.Title, ex.Lesson.Number, ex.Lesson.Slug, ex.Lesson.Title, ex.Files)
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}

// write puts the generated files in place under root. pristine/ is rebuilt
// from scratch so a removed stub or exercise leaves nothing behind; other
// files are rewritten only when their content changed.
func write(root string, outs []output) error {
	if err := os.RemoveAll(filepath.Join(root, pristineDir)); err != nil {
		return err
	}
	for _, o := range outs {
		dst := filepath.Join(root, filepath.FromSlash(o.path))
		if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, o.data) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, o.data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
