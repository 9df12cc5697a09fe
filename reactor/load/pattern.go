package load

// fill writes message number seq of connection conn into buf. The content
// depends on both, so a byte delivered to the wrong connection, duplicated,
// dropped or reordered is caught by verification.
func fill(buf []byte, conn, seq int) {
	x := uint32(conn)*2654435761 ^ uint32(seq)*40503 ^ 0x9e3779b9
	if x == 0 {
		x = 1 // xorshift never leaves zero
	}
	for i := range buf {
		// xorshift: cheap, and no two neighbouring bytes are simply related.
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		buf[i] = byte(x)
	}
}

// firstMismatch returns the index of the first byte where got and want
// differ, or -1.
func firstMismatch(got, want []byte) int {
	for i := range got {
		if got[i] != want[i] {
			return i
		}
	}
	return -1
}
