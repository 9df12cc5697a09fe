package lessons

import (
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/reactor"
)

func TestRefusalText(t *testing.T) {
	fdset := reactor.TraceEvent{Kind: reactor.KindError, Fd: 1071, Label: "echo 127.0.0.1:42968",
		Text: "fd 1071: " + reactor.ErrFDSetSize.Error()}
	other := reactor.TraceEvent{Kind: reactor.KindRefused, Label: "echo", Text: "out of file descriptors"}
	tests := []struct {
		ev     reactor.TraceEvent
		more   int
		prefix string
		has    string
	}{
		{fdset, 0, "FD_SETSIZE: select refused fd 1071 (", "poll or epoll"},
		{fdset, 3, "FD_SETSIZE: select refused fd 1071 and 3 more", "poll or epoll"},
		{other, 0, "echo: out of file descriptors", ""},
		{other, 2, "(2 more like this) echo:", "out of file descriptors"},
	}
	for _, tt := range tests {
		got := refusalText(&tt.ev, tt.more)
		if !strings.HasPrefix(got, tt.prefix) || !strings.Contains(got, tt.has) {
			t.Errorf("refusalText(%q, %d) = %q; want prefix %q containing %q", tt.ev.Text, tt.more, got, tt.prefix, tt.has)
		}
	}
}

func TestIsRefusal(t *testing.T) {
	tests := []struct {
		ev   reactor.TraceEvent
		want bool
	}{
		{reactor.TraceEvent{Kind: reactor.KindRefused}, true},
		{reactor.TraceEvent{Kind: reactor.KindError, Text: "fd 1024: select: ..."}, true},
		{reactor.TraceEvent{Kind: reactor.KindError, Text: "switch to select refused: ..."}, false},
		{reactor.TraceEvent{Kind: reactor.KindStall}, false},
	}
	for _, tt := range tests {
		if got := isRefusal(&tt.ev); got != tt.want {
			t.Errorf("isRefusal(%v %q) = %v; want %v", tt.ev.Kind, tt.ev.Text, got, tt.want)
		}
	}
}
