package detect

import (
	"math"
	"slices"
	"sort"
)

// window keeps the durations of the last DurationWindow warm invocations
// sorted while a batch is applied, so each REPORT updates the window median
// by one removal and one insertion instead of sorting the window again. It
// gives exactly medianLog's result (ln is monotonic: the median of the logs
// is the log of the sorted middle) and falls back to it for NaN.
type window struct {
	ok   bool
	vals []float64 // max(D, 1) of the window, ascending
}

// median returns medianLog(ring, w) after one push; old is the ring before
// the push (the window is the last len(vals) samples of old).
func (win *window) median(old, ring []sample, w int) float64 {
	if !win.ok || !win.slide(old, ring[len(ring)-1], w) {
		win.build(ring[len(ring)-w:])
	}
	if !win.ok {
		return medianLog(ring, w)
	}
	xs, n := win.vals, len(win.vals)
	if n%2 == 1 {
		return math.Log(xs[n/2])
	}
	return (math.Log(xs[n/2-1]) + math.Log(xs[n/2])) / 2
}

// slide drops the samples that left the window and adds s; false if the
// window cannot be slid (it is then rebuilt).
func (win *window) slide(old []sample, s sample, w int) bool {
	w0 := len(win.vals)
	if w0 > len(old) || w > w0+1 || w < 1 {
		return false
	}
	for _, o := range old[len(old)-w0 : len(old)-w0+(w0+1-w)] {
		v := max(o.D, 1)
		i := sort.SearchFloat64s(win.vals, v)
		if i == len(win.vals) || win.vals[i] != v {
			return false // NaN, or not the window it should be
		}
		win.vals = slices.Delete(win.vals, i, i+1)
	}
	v := max(s.D, 1)
	if v != v {
		return false
	}
	win.vals = slices.Insert(win.vals, sort.SearchFloat64s(win.vals, v), v)
	return true
}

func (win *window) build(ws []sample) {
	win.vals, win.ok = win.vals[:0], false
	for _, s := range ws {
		v := max(s.D, 1)
		if v != v {
			return
		}
		win.vals = append(win.vals, v)
	}
	slices.Sort(win.vals)
	win.ok = true
}
