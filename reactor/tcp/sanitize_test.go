package tcp

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

// nastyLines are what a hostile chat member sends (one line each, without
// the newline) and what the others must see instead.
var nastyLines = []struct {
	name, in, want string
}{
	{"plain text", "hello, world", "hello, world"},
	{"clear screen and home", "\x1b[2J\x1b[H", `\x1b[2J\x1b[H`},
	{"window title", "\x1b]0;pwned\x07", `\x1b]0;pwned\a`},
	{"alternate screen", "\x1b[?1049h", `\x1b[?1049h`},
	{"bell", "\a\a\a", `\a\a\a`},
	{"fake join after a carriage return", "\r* 10.0.0.9:4242 joined", `\r* 10.0.0.9:4242 joined`},
	{"fake sender after a carriage return", "hi\r10.0.0.9:4242: I am someone else", `hi\r10.0.0.9:4242: I am someone else`},
	{"erase line", "\x1b[2K\x1b[1G* fake", `\x1b[2K\x1b[1G* fake`},
	{"backspaces over the prefix", "\b\b\b\bXX", `\b\b\b\bXX`},
	{"tab, vertical tab, form feed", "a\tb\vc\fd", `a\tb\vc\fd`},
	{"NUL and DEL", "\x00nul\x7f", `\x00nul\x7f`},
	{"other C0 controls", "\x01\x0e\x1f", `\x01\x0e\x1f`},
	{"C1 CSI (one-byte escape)", "\u009b2J", `\u009b2J`},
	{"C1 next line", "a\u0085b", `a\u0085b`},
	{"bidi override", "\u202etxt.exe", `\u202etxt.exe`},
	{"zero width space", "a\u200bb", `a\u200bb`},
	{"line separator", "a\u2028b", `a\u2028b`},
	{"tag character", "\U000e0041", `\U000e0041`},
	{"invalid bytes", "\xff\xfe", `\xff\xfe`},
	{"truncated rune", "abc\xe2\x82", `abc\xe2\x82`},
	{"surrogate half", "\xed\xa0\x80", `\xed\xa0\x80`},
	{"past U+10FFFF", "\xf4\x90\x80\x80", `\xf4\x90\x80\x80`},
	{"overlong slash", "\xc0\xaf", `\xc0\xaf`},
	{"UTF-8 text passes", "héllo wörld ✓ 日本語 😀", "héllo wörld ✓ 日本語 😀"},
	{"replacement character passes", "\ufffd", "\ufffd"},
	{"backslashes stay", `C:\x1b\path`, `C:\x1b\path`},
	{"empty", "", ""},
}

func TestAppendPrintable(t *testing.T) {
	for _, tc := range nastyLines {
		got := string(appendPrintable([]byte("prefix: "), []byte(tc.in)))
		if want := "prefix: " + tc.want; got != want {
			t.Errorf("%s: appendPrintable(%q) = %q; want %q", tc.name, tc.in, got, want)
		}
		checkPrintable(t, tc.name, got)
	}
}

// checkPrintable fails if s holds anything a terminal would act on.
func checkPrintable(t *testing.T, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%s: %q is not valid UTF-8", what, s)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			t.Errorf("%s: %q holds %U, which is not printable", what, s, r)
			return
		}
	}
}

func BenchmarkAppendPrintable(b *testing.B) {
	line := []byte("an ordinary chat line, nothing to escape in it at all, as most are")
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = appendPrintable(buf[:0], line)
	}
}
