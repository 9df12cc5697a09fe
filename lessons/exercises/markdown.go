package exercises

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"charm.land/glamour/v2"
	"charm.land/glamour/v2/styles"
)

// Styles for renderMarkdown: glamour's standard styles. NoTTY has no colours
// (for output that is not a terminal, and for golden files).
const (
	styleDark  = styles.DarkStyle
	styleLight = styles.LightStyle
	styleNoTTY = styles.NoTTYStyle
)

// renderMarkdown renders md for a terminal as the lessons do (glamour),
// wrapped to width columns (0: not wrapped), so a hint's `code` and
// **emphasis** show as such instead of as backticks and asterisks. If
// glamour fails, the Markdown itself is the text.
func renderMarkdown(md string, width int, style string) string {
	r, err := glamour.NewTermRenderer(glamour.WithStandardStyle(style), glamour.WithWordWrap(max(0, width)))
	if err != nil {
		return md
	}
	out, err := r.Render(md)
	if err != nil {
		return md
	}
	return trimLines(out)
}

// trailingSpace matches the padding glamour adds to the end of lines.
var trailingSpace = regexp.MustCompile(`(?m)[ \t]+$`)

// trimLines drops trailing blanks from each line and blank lines from both
// ends, leaving the text's own indentation.
func trimLines(s string) string {
	return strings.Trim(trailingSpace.ReplaceAllString(s, ""), "\n")
}

// tabWidth is how many columns a tab in Go source takes on screen.
const tabWidth = 4

// expandTabs turns each tab into spaces up to the next multiple of tabWidth,
// so gofmt's indentation survives renderers and terminals that would drop
// or mis-measure a raw tab.
func expandTabs(src string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(src, "\n") {
		col := 0
		for _, r := range line {
			if r == '\t' {
				n := tabWidth - col%tabWidth
				b.WriteString(strings.Repeat(" ", n))
				col += n
				continue
			}
			b.WriteRune(r)
			col++
		}
	}
	return b.String()
}

// solutionMarkdown returns the reference solution of ex in the checkout at
// root as Markdown: per file, its path as a heading and its source as a Go
// code block with tabs expanded.
func solutionMarkdown(root string, ex Exercise) (string, error) {
	var b strings.Builder
	for _, f := range ex.Files {
		rel := filepath.Join("solutions", ex.Name, f)
		src, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "## %s\n\n```go\n%s\n```\n\n", rel, strings.TrimRight(expandTabs(string(src)), "\n"))
	}
	return b.String(), nil
}

// renderSolution renders the reference solution as code: highlighted,
// indentation kept, lines not wrapped (a wrapped line of code reads as two).
func renderSolution(root string, ex Exercise, style string) (string, error) {
	md, err := solutionMarkdown(root, ex)
	if err != nil {
		return "", err
	}
	return renderMarkdown(md, 0, style), nil
}
