package main

import (
	"runtime"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, errOut, code := runArgs(t, args...)
		if code != 0 || !strings.HasPrefix(out, "reactorlab ") || !strings.Contains(out, runtime.Version()) || strings.Count(out, "\n") != 1 {
			t.Errorf("reactorlab %s: exit %d, stderr %q, stdout %q; want one line with the versions", args[0], code, errOut, out)
		}
	}
	for _, args := range [][]string{{"version", "extra"}, {"--version", "extra"}, {"version", "--x"}} {
		out, errOut, code := runArgs(t, args...)
		if code != 2 || out != "" {
			t.Errorf("reactorlab %s: exit %d, stdout %q, stderr %q; want a usage error and no version", strings.Join(args, " "), code, out, errOut)
		}
	}
}
