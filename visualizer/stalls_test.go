package visualizer

import "testing"

// A Go function's full path, which the reactor gives a timer or an
// unlabelled handler, is cut to what fits a pane; a label is left alone.
func TestShortFunc(t *testing.T) {
	tests := []struct{ in, want string }{
		{"github.com/reactorlab/reactorlab/lessons.(*workServer).sweepTick-fm", "lessons.(*workServer).sweepTick"},
		{"main.tick", "main.tick"},
		{"cpu-bound handler (hashes for 500ms)", "cpu-bound handler (hashes for 500ms)"},
		{"work 127.0.0.1:4000", "work 127.0.0.1:4000"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := shortFunc(tt.in); got != tt.want {
			t.Errorf("shortFunc(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
