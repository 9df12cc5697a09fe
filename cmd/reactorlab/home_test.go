package main

import (
	"strings"
	"testing"
)

// A bare reactorlab without a terminal prints an overview naming every
// command, and succeeds.
func TestHomeOverview(t *testing.T) {
	out, errOut, code := runArgs(t)
	if code != 0 || errOut != "" || !strings.Contains(out, "Stdout is not a terminal") {
		t.Fatalf("reactorlab with no terminal: exit %d, stderr %q; want the overview:\n%s", code, errOut, out)
	}
	for _, c := range registry {
		if !strings.Contains(out, "reactorlab "+c.name+" ") {
			t.Errorf("overview does not list %q:\n%s", c.name, out)
		}
	}
}
