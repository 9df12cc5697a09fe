//go:build !race

#include "textflag.h"

// func storeRelease64(addr *uint64, x uint64)
// On amd64 an ordinary store is a release (TSO).
TEXT ·storeRelease64(SB), NOSPLIT, $0-16
	MOVQ addr+0(FP), AX
	MOVQ x+8(FP), BX
	MOVQ BX, (AX)
	RET
