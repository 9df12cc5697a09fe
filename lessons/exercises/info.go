package exercises

import "os"

// Info is one exercise as the lab's home screen lists it. Its fields are
// visualizer.ExerciseInfo's, one for one and in the same order, so the
// command layer converts each with visualizer.ExerciseInfo(info): this
// package does not import the visualizer, and the visualizer knows nothing
// of grading.
type Info struct {
	Name   string // "01_drain"
	Title  string // "Drain until EAGAIN"
	Lesson string // slug of the lesson it follows
	Passed bool   // graded as passing, as the saved progress says
	Task   string // the README body: Markdown, front matter removed
	Grade  string // the exact grading command: "cd exercises && go test ./01_drain/"
}

// Infos returns the whole catalog with each exercise's state in the checkout
// around the working directory, read from the saved progress (see
// StatePath). Outside a checkout, or when progress cannot be read, nothing
// counts as passed: the list still shows.
func Infos() []Info {
	var st State
	wd, _ := os.Getwd()
	if root, err := FindRoot(wd); err == nil {
		if path, err := StatePath(); err == nil {
			st, _ = LoadState(path, root)
		}
	}
	return st.Infos()
}

// Infos returns the whole catalog with the exercises st records as passed.
func (st State) Infos() []Info {
	infos := make([]Info, len(All))
	for i, ex := range All {
		infos[i] = Info{
			Name:   ex.Name,
			Title:  ex.Title,
			Lesson: ex.Lesson.Slug,
			Passed: st.Done[ex.Name],
			Task:   ex.Task(),
			Grade:  ex.GradeCommand(),
		}
	}
	return infos
}

// Task returns the exercise's task as the binary ships it: its README.md
// without the front matter (an embedded copy, so it shows outside a
// checkout too).
func (ex Exercise) Task() string {
	b, err := pristineFS.ReadFile("pristine/" + ex.Name + "/task.md")
	if err != nil {
		return "" // cannot happen for an exercise in All: gen writes both
	}
	return string(b)
}
