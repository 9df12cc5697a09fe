package exercises

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// Every line of every real reference solution keeps its indentation (tabs
// as four spaces) in the rendered view.
func TestRenderSolutionKeepsEveryLine(t *testing.T) {
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range All {
		got, err := renderSolution(root, ex, styleNoTTY)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ex.Files {
			src, _ := os.ReadFile(filepath.Join(root, "solutions", ex.Name, f))
			for _, line := range strings.Split(expandTabs(string(src)), "\n") {
				if line = strings.TrimRight(line, " "); line != "" && !strings.Contains(got, line) {
					t.Errorf("%s/%s: the rendered solution lacks the line %q", ex.Name, f, line)
				}
			}
		}
	}
}

func TestExpandTabs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"\tx", "    x"},
		{"\t\tx", "        x"},
		{"ab\tc", "ab  c"},
		{"abcd\te\n\tf", "abcd    e\n    f"},
	}
	for _, tc := range tests {
		if got := expandTabs(tc.in); got != tc.want {
			t.Errorf("expandTabs(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// A hint's Markdown is rendered: code loses its backticks (and, in colour,
// emphasis its asterisks), and the text is wrapped to the width.
func TestRenderMarkdown(t *testing.T) {
	md := "Call `unix.Read` in a loop, and **stop** at EAGAIN. " + strings.Repeat("More words here. ", 10)
	for _, style := range []string{styleNoTTY, styleDark, styleLight} {
		got := ansi.Strip(renderMarkdown(md, 40, style))
		marks := "`"
		if style != styleNoTTY {
			marks = "`*"
		}
		if strings.ContainsAny(got, marks) || !strings.Contains(got, "unix.Read") || !strings.Contains(got, "stop") {
			t.Errorf("renderMarkdown(%s) kept the Markdown marks %s or lost the words:\n%s", style, marks, got)
		}
		for _, line := range strings.Split(got, "\n") {
			if w := ansi.StringWidth(line); w > 40 {
				t.Errorf("renderMarkdown(%s): line %q is %d wide; want ≤ 40", style, line, w)
			}
		}
	}
}
