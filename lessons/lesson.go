package lessons

import (
	"context"
	"embed"
	"fmt"
	"strings"

	"github.com/reactorlab/reactorlab/visualizer"
)

//go:embed content/*.md
var content embed.FS

// tryMarker opens the block that ends every page.
const tryMarker = "> **Try this:**"

// Lesson is one entry of the manifest. It implements visualizer.Lesson.
type Lesson struct {
	slug     string
	file     string // content/NN-slug.md
	summary  string
	scenario Scenario

	title string   // from the file's "# " line
	pages []string // one Markdown document per "## " section
}

var _ visualizer.Lesson = (*Lesson)(nil)

// Slug is the lesson's stable id on the command line.
func (l *Lesson) Slug() string { return l.slug }

// Title is the lesson's heading.
func (l *Lesson) Title() string { return l.title }

// Summary is one line for the lesson list.
func (l *Lesson) Summary() string { return l.summary }

// Pages are the prose pages, one Markdown document each.
func (l *Lesson) Pages() []string { return l.pages }

// Panes lists the live panes beside the prose.
func (l *Lesson) Panes() []visualizer.PaneID { return l.scenario.Panes }

// Controls are the live controls the lesson enables.
func (l *Lesson) Controls() visualizer.Controls { return l.scenario.Controls }

// Scenario is the lesson's live part.
func (l *Lesson) Scenario() Scenario { return l.scenario }

// Start builds and starts the lesson's scenario.
func (l *Lesson) Start(ctx context.Context) (visualizer.Live, error) {
	d, err := Start(ctx, l.scenario)
	if err != nil {
		return nil, err // not a nil *Driver inside a non-nil interface
	}
	if d.chains != nil {
		return chainLive{d}, nil // its Deferreds feed the chain pane
	}
	return d, nil
}

// Prompts returns the "try this" prompt that ends each page, as plain text
// without the Markdown quote markers.
func (l *Lesson) Prompts() []string {
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

// parse splits a lesson file into its title and pages. The "# " line names
// the lesson; each "## " heading starts a page that runs to the next one.
func parse(name, md string) (title string, pages []string, err error) {
	var cur []string
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
			if title != "" {
				return "", nil, fmt.Errorf("%s: second title %q", name, line)
			}
			title = strings.TrimSpace(line[2:])
		case !inCode && strings.HasPrefix(line, "## "):
			flush()
			cur = []string{line}
		case cur != nil:
			cur = append(cur, line)
		case strings.TrimSpace(line) != "":
			return "", nil, fmt.Errorf("%s: text before the first page: %q", name, line)
		}
	}
	flush()
	if title == "" {
		return "", nil, fmt.Errorf("%s: no \"# \" title line", name)
	}
	if len(pages) == 0 {
		return "", nil, fmt.Errorf("%s: no pages (\"## \" headings)", name)
	}
	return title, pages, nil
}
