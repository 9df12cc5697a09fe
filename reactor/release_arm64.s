//go:build !race

#include "textflag.h"

// func storeRelease64(addr *uint64, x uint64)
// STLR is a store-release.
TEXT ·storeRelease64(SB), NOSPLIT, $0-16
	MOVD addr+0(FP), R0
	MOVD x+8(FP), R1
	STLR R1, (R0)
	RET
