package demos

import (
	"fmt"
	"io"
	"strings"

	"github.com/reactorlab/reactorlab/visualizer"
)

// WriteList writes the embedded demos as plain text, one line each with
// how to play it.
func WriteList(w io.Writer) error {
	infos, err := List()
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("reactorlab demos: scripted, for a projector (space or → next, ← back, r restart, q quit)\n\n")
	for _, in := range infos {
		fmt.Fprintf(&b, "  %d. %-17s %s\n", in.Number, in.Name, in.Title)
		if in.Unavailable != "" {
			fmt.Fprintf(&b, "     %-17s cannot play here: %s\n", "", in.Unavailable)
		} else {
			fmt.Fprintf(&b, "     %-17s %d steps · scenario: lesson %s\n", "", in.Steps, in.Lesson)
		}
	}
	b.WriteString(`
Play one with 'reactorlab demo N' or 'reactorlab demo NAME'; add --auto to let it
play itself. Write your own (docs/DEMO_FORMAT.md) and play it with
'reactorlab demo --file my.demo'; --check reads it and lists its steps.
`)
	_, err = io.WriteString(w, b.String())
	return err
}

// WriteOutline writes what a demo will do, step by step, as the script
// reads once checked: what `reactorlab demo --check` prints.
func WriteOutline(w io.Writer, d *visualizer.Demo) error {
	var b strings.Builder
	steps := fmt.Sprintf("%d steps", len(d.Steps))
	if len(d.Steps) == 1 {
		steps = "1 step"
	}
	fmt.Fprintf(&b, "%s: %s — %s, all checked\n", d.Source, d.Title, steps)
	if d.Notice != "" {
		fmt.Fprintf(&b, "note: %s\n", d.Notice)
	}
	for i, st := range d.Steps {
		names := make([]string, len(st.Panes))
		for j, id := range st.Panes {
			names[j] = id.String()
		}
		fmt.Fprintf(&b, "\n%d. %s\n   line %d · panes %s", i+1, st.Caption, st.Line, strings.Join(names, ", "))
		if st.Hold > 0 {
			fmt.Fprintf(&b, " · hold %v", st.Hold)
		}
		b.WriteString("\n")
		for _, op := range st.Ops {
			if op.IsWait() {
				fmt.Fprintf(&b, "   line %d: wait %s (gives up after %v)\n", op.Line, op.Wait, op.Timeout())
			} else {
				fmt.Fprintf(&b, "   line %d: %s\n", op.Line, op.Action)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
