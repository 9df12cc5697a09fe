package lessons

import (
	"context"
	"embed"
	"fmt"
	"slices"
	"strings"

	"github.com/reactorlab/reactorlab/visualizer"
)

//go:embed content/*.md
var content embed.FS

// tryMarker opens the block that ends every page.
const tryMarker = "> **Try this:**"

// Lesson is one lesson of the curriculum. It implements visualizer.Lesson.
type Lesson struct {
	slug     string // the file name without "NN-" and ".md"
	file     string // content/NN-slug.md
	number   int    // NN: its place in the course
	scenario Scenario
	limits   Limits // what its scenario may open (CappedLessons)

	title   string   // the file's "# " line
	summary string   // the one-line paragraph under it
	pages   []string // one Markdown document per "## " section
}

var _ visualizer.Lesson = (*Lesson)(nil)

// Slug is the lesson's stable id on the command line.
func (l *Lesson) Slug() string { return l.slug }

// Number is the lesson's place in the course, from its file name.
func (l *Lesson) Number() int { return l.number }

// Title is the lesson's heading.
func (l *Lesson) Title() string { return l.title }

// Summary is one line for the lesson list.
func (l *Lesson) Summary() string { return l.summary }

// Pages are the prose pages, one Markdown document each.
func (l *Lesson) Pages() []string { return l.pages }

// Panes lists the live panes beside the prose.
func (l *Lesson) Panes() []visualizer.PaneID { return l.scenario.Panes }

// Controls are the built-in live controls the lesson enables.
func (l *Lesson) Controls() []visualizer.ControlID { return l.scenario.Controls }

// Injectors are the lesson's own faults and fixes, as the screen offers
// them.
func (l *Lesson) Injectors() []visualizer.Injector { return declare(l.scenario.Injectors) }

// Start builds and starts the lesson's scenario.
func (l *Lesson) Start(ctx context.Context) (visualizer.Live, error) {
	d, err := start(ctx, l.scenario, l.limits, nil)
	if err != nil {
		return nil, err // not a nil *Driver inside a non-nil interface
	}
	return l.live(d), nil
}

// live is the Live the screen gets for d: the driver itself, or a wrapper
// that also feeds the chain or pool pane.
func (l *Lesson) live(d *Driver) visualizer.Live {
	switch {
	case d.chains != nil:
		return chainLive{d} // its Deferreds feed the chain pane
	case d.pool != nil && slices.Contains(l.scenario.Panes, visualizer.PanePool):
		return poolLive{d} // its pool feeds the pool pane
	}
	if c, ok := d.ext.(*comparison); ok {
		return compareLive{d, c} // its client controls load the side-by-side servers
	}
	return d
}

// prompts returns the "try this" prompt that ends each page, as plain text
// without the Markdown quote markers.
func (l *Lesson) prompts() []string {
	out := make([]string, 0, len(l.pages))
	for _, p := range l.pages {
		out = append(out, tryPrompt(p))
	}
	return out
}

// tryPrompt extracts the final "Try this" block of a page ("" if the page
// does not end with one).
func tryPrompt(page string) string {
	i := strings.LastIndex(page, tryMarker)
	if i < 0 {
		return ""
	}
	var b strings.Builder
	for _, line := range strings.Split(page[i:], "\n") {
		if !strings.HasPrefix(line, ">") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			return "" // prose after the block: the page does not end with it
		}
		line = strings.TrimSpace(strings.TrimPrefix(line, ">"))
		if b.Len() > 0 && line != "" {
			b.WriteByte(' ')
		}
		b.WriteString(line)
	}
	return strings.TrimSpace(strings.TrimPrefix(b.String(), "**Try this:**"))
}

// parse splits a lesson file into its facts and pages. The file opens
// with a "# " title line and a one-line summary paragraph (the Go Tour's
// title and abstract); each "## " heading after them starts a page that
// runs to the next one.
func parse(name, md string) (title, summary string, pages []string, err error) {
	var cur, head []string // the page being read; the text lines before the first page
	flush := func() {
		if cur != nil {
			pages = append(pages, strings.TrimSpace(strings.Join(cur, "\n"))+"\n")
		}
	}
	inCode := false
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
		}
		switch {
		case !inCode && strings.HasPrefix(line, "# "):
			if title != "" || cur != nil || len(head) > 0 {
				return "", "", nil, fmt.Errorf("%s: %q: the title must be the first line, and only one", name, line)
			}
			title = strings.TrimSpace(line[2:])
		case !inCode && strings.HasPrefix(line, "## "):
			flush()
			cur = []string{line}
		case cur != nil:
			cur = append(cur, line)
		case strings.TrimSpace(line) != "":
			head = append(head, line)
		}
	}
	flush()
	switch {
	case title == "":
		return "", "", nil, fmt.Errorf("%s: no \"# \" title line at the top", name)
	case len(head) == 0:
		return "", "", nil, fmt.Errorf("%s: no summary: one line under the title, before the first page", name)
	case len(head) > 1:
		return "", "", nil, fmt.Errorf("%s: the summary is one line under the title, then the pages; found more: %q", name, head[1])
	case len(pages) == 0:
		return "", "", nil, fmt.Errorf("%s: no pages (\"## \" headings)", name)
	}
	return title, strings.TrimSpace(head[0]), pages, nil
}
