package tcp

import (
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/reactorlab/reactorlab/reactor"
)

// appendEvent appends ev to dst as one line of JSON Lines: byte for byte
// what json.NewEncoder(w).Encode(ToJSONEvent(ev)) writes, newline
// included, without its reflection and its two allocations per event
// (937 ns then, ~170 ns and none now; `serve --headless` writes about
// five events per echoed request). The fields, their order and their
// omitempty rules are JSONEvent's; TestAppendEventMatchesEncodingJSON
// compares the two for every kind and for hostile labels, so a field
// added to JSONEvent must be added here too.
func appendEvent(dst []byte, ev *reactor.TraceEvent) []byte {
	dst = append(dst, `{"at_ns":`...)
	dst = strconv.AppendInt(dst, ev.At, 10)
	dst = append(dst, `,"kind":`...)
	dst = appendJSONString(dst, ev.Kind.String())
	if ev.Fd != 0 {
		dst = append(dst, `,"fd":`...)
		dst = strconv.AppendInt(dst, int64(ev.Fd), 10)
	}
	if ev.Ready != 0 || ev.Interest != 0 {
		names := flagNames()
		// A name can be empty (bits String does not know): omitted too.
		dst = appendStringField(dst, `,"ready":`, names.ready[ev.Ready])
		dst = appendStringField(dst, `,"interest":`, names.interest[ev.Interest])
	}
	dst = appendInt(dst, `,"n":`, ev.N)
	dst = appendInt(dst, `,"dur_ns":`, int64(ev.Dur))
	dst = appendInt(dst, `,"dur2_ns":`, int64(ev.Dur2))
	dst = appendInt(dst, `,"dur3_ns":`, int64(ev.Dur3))
	dst = appendStringField(dst, `,"backend":`, ev.Backend)
	dst = appendStringField(dst, `,"label":`, ev.Label)
	dst = appendStringField(dst, `,"text":`, ev.Text)
	return append(dst, '}', '\n')
}

// appendInt appends an omitempty integer field.
func appendInt(dst []byte, key string, v int64) []byte {
	if v == 0 {
		return dst
	}
	return strconv.AppendInt(append(dst, key...), v, 10)
}

// appendStringField appends an omitempty string field.
func appendStringField(dst []byte, key, v string) []byte {
	if v == "" {
		return dst
	}
	return appendJSONString(append(dst, key...), v)
}

// flagNames holds Ready.String and Interest.String for every value of
// the byte each is, made once: both build their string, which allocates.
var flagNames = sync.OnceValue(func() *struct{ ready, interest [256]string } {
	t := new(struct{ ready, interest [256]string })
	for i := 1; i < 256; i++ { // 0 is never written
		t.ready[i] = reactor.Ready(i).String()
		t.interest[i] = reactor.Interest(i).String()
	}
	return t
})

// appendJSONString appends s as a JSON string the way encoding/json does
// with HTML escaping on (json.Encoder's default): '"' and '\\' escaped,
// \b \f \n \r \t by name, other control bytes and < > & as \u00XX,
// U+2028 and U+2029 as \u2028 and \u2029, and each byte that is not part
// of valid UTF-8 as \ufffd. Whatever bytes a label holds, the line stays
// one line of valid JSON.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if htmlSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default: // other control bytes, and < > &
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// htmlSafe says which ASCII bytes go into a JSON string as they are:
// printable (DEL included, as encoding/json has it), and none of
// " \ < > &.
var htmlSafe = func() (t [utf8.RuneSelf]bool) {
	for b := range t {
		t[b] = b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return t
}()
