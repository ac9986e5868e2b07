package cwlogs_test

import "runtime/debug"

func setGCPercent(p int) int { return debug.SetGCPercent(p) }
