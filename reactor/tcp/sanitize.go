package tcp

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// appendPrintable appends s to dst as text that is safe to put on someone
// else's terminal: printable characters pass, everything a terminal would
// act on is shown escaped instead.
//
//   - ASCII controls and DEL: "\a" "\b" "\t" "\n" "\v" "\f" "\r", else
//     "\x1b" and the like. ESC starts the sequences that clear a screen,
//     switch to the alternate screen or set a window title; "\r" moves to
//     the start of the line, where a sender could overwrite its own
//     "addr: " prefix and pass for another member or a "joined" line.
//   - Valid UTF-8 that is not printable (unicode.IsPrint: C1 controls such
//     as U+009B, a one-byte CSI to some terminals; bidi overrides such as
//     U+202E; zero-width and line-separator characters): "\u009b".
//   - Bytes that are not UTF-8: "\xff", one escape per byte.
//
// Backslashes themselves are left alone: "\x1b" typed as four characters
// shows as four characters, which is harmless. The result never contains
// a byte below 0x20, a DEL, or invalid UTF-8.
func appendPrintable(dst, s []byte) []byte {
	for len(s) > 0 {
		c := s[0]
		if ' ' <= c && c < utf8.RuneSelf && c != 0x7f {
			dst = append(dst, c)
			s = s[1:]
			continue
		}
		r, size := utf8.DecodeRune(s)
		switch {
		case r == utf8.RuneError && size == 1:
			dst = appendHex(dst, `\x`, uint32(c), 2)
		case r < utf8.RuneSelf:
			dst = appendControl(dst, c)
		case unicode.IsPrint(r):
			dst = append(dst, s[:size]...)
		case r <= 0xffff:
			dst = appendHex(dst, `\u`, uint32(r), 4)
		default:
			dst = appendHex(dst, `\U`, uint32(r), 8)
		}
		s = s[size:]
	}
	return dst
}

// appendControl escapes an ASCII control byte or DEL the way Go source
// would write it: a letter for the seven that have one, else hex.
func appendControl(dst []byte, c byte) []byte {
	if i := strings.IndexByte("\a\b\t\n\v\f\r", c); i >= 0 {
		return append(dst, '\\', "abtnvfr"[i])
	}
	return appendHex(dst, `\x`, uint32(c), 2)
}

func appendHex(dst []byte, prefix string, v uint32, digits int) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, prefix...)
	for i := digits - 1; i >= 0; i-- {
		dst = append(dst, hex[v>>(4*i)&0xf])
	}
	return dst
}
