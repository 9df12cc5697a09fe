package visualizer

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// isPlain reports whether s is printable ASCII only, so its width is its
// length. Most pane text is; this keeps View cheap (no grapheme work).
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// width is the display width of s.
func width(s string) int {
	if isPlain(s) {
		return len(s)
	}
	return ansi.StringWidth(s)
}

// fit truncates or pads s with spaces to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := width(s)
	switch {
	case n == w:
		return s
	case n < w:
		return s + strings.Repeat(" ", w-n)
	case isPlain(s):
		if w == 1 {
			return "…"
		}
		return s[:w-1] + "…"
	default:
		t := ansi.Truncate(s, w, "…")
		if tw := ansi.StringWidth(t); tw < w {
			t += strings.Repeat(" ", w-tw)
		}
		return t
	}
}

// shortLabel cuts a registration's label to at most w cells keeping its
// end: an address's port (or else the last word) is what tells two
// connections apart ("echo 127.0.0.1:41988" → "echo 12…:41988"). Labels
// that fit are left alone; one with nothing worth keeping at the end is
// cut like fit cuts (without padding).
func shortLabel(s string, w int) string {
	if width(s) <= w || !isPlain(s) {
		return s
	}
	tail := ""
	if i := strings.LastIndexByte(s, ' '); i >= 0 {
		tail = s[i+1:]
		if j := strings.LastIndexByte(tail, ':'); j >= 0 {
			tail = tail[j:]
		}
	}
	keep := w - len(tail) - 1
	if tail == "" || keep < 0 {
		return s[:max(0, w-1)] + "…"
	}
	return strings.TrimRight(s[:keep], " ") + "…" + tail
}

// padLeft right-aligns s in w cells.
func padLeft(s string, w int) string {
	n := width(s)
	if n >= w {
		return s
	}
	return strings.Repeat(" ", w-n) + s
}

// box draws content (lines separated by \n) inside a rounded border of
// exactly w×h cells, with title set into the top edge.
func box(title, content string, w, h int) string {
	if w < 4 || h < 2 {
		return ""
	}
	inner := w - 2
	var b strings.Builder
	b.Grow((w + 8) * h * 3)
	// Top edge: ╭─ title ─────╮
	b.WriteString("╭─")
	t := fit(" "+title+" ", max(0, min(width(title)+2, inner-1)))
	b.WriteString(styleTitle.Render(t))
	b.WriteString(strings.Repeat("─", max(0, inner-1-width(t))))
	b.WriteString("╮\n")
	lines := strings.Split(content, "\n")
	for i := 0; i < h-2; i++ {
		b.WriteString("│")
		if i < len(lines) {
			b.WriteString(fit(lines[i], inner))
		} else {
			b.WriteString(strings.Repeat(" ", inner))
		}
		b.WriteString("│\n")
	}
	b.WriteString("╰")
	b.WriteString(strings.Repeat("─", inner))
	b.WriteString("╯")
	return b.String()
}

// fmtDur renders a duration compactly: "850ns", "12µs", "3.4ms", "1.20s".
func fmtDur(d time.Duration) string {
	if d < 0 {
		return "∞"
	}
	if d == 0 {
		return "0"
	}
	switch {
	case d < time.Microsecond:
		return strconv.FormatInt(int64(d), 10) + "ns"
	case d < 10*time.Microsecond:
		return strconv.FormatFloat(float64(d)/1e3, 'f', 1, 64) + "µs"
	case d < time.Millisecond:
		return strconv.FormatInt(int64(d)/1e3, 10) + "µs"
	case d < 10*time.Millisecond:
		return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) + "ms"
	case d < time.Second:
		return strconv.FormatInt(int64(d)/1e6, 10) + "ms"
	default:
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s"
	}
}

// fmtCount renders a counter compactly: 999, 12.3k, 4.5M.
func fmtCount(n float64) string {
	switch {
	case n < 1000:
		return strconv.FormatFloat(n, 'f', 0, 64)
	case n < 1e6:
		return strconv.FormatFloat(n/1e3, 'f', 1, 64) + "k"
	case n < 1e9:
		return strconv.FormatFloat(n/1e6, 'f', 1, 64) + "M"
	default:
		return strconv.FormatFloat(n/1e9, 'f', 1, 64) + "G"
	}
}

// fmtBytes renders a byte count: 512B, 3.1KiB, 2.0MiB.
func fmtBytes(n int64) string {
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + "B"
	case n < 1<<20:
		return strconv.FormatFloat(float64(n)/1024, 'f', 1, 64) + "KiB"
	default:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + "MiB"
	}
}

// sparkGlyphs are eight bar heights for one-row strips (0 = empty).
var sparkGlyphs = []string{" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}

// spark maps a fraction in [0,1] to a bar glyph.
func spark(f float64) string {
	if f <= 0 {
		return sparkGlyphs[0]
	}
	i := int(f*8 + 0.5)
	if i < 1 {
		i = 1
	}
	if i > 8 {
		i = 8
	}
	return sparkGlyphs[i]
}

func durNS(ns int64) time.Duration { return time.Duration(ns) }

// ago renders an age: "just now" under a millisecond, else "12ms ago".
func ago(d time.Duration) string {
	if d < time.Millisecond {
		return "just now"
	}
	return fmtDur(d.Truncate(time.Millisecond)) + " ago"
}
