package cwlogs

import "runtime"

// aheadMin is the input size from which Decode decodes on a goroutine of
// its own, one batch ahead of emit. Below it there is too little to overlap
// to pay for the goroutine. A variable so that tests can force either path.
var aheadMin = 4 << 20

// decodeAhead is Decode with decoding and emit overlapped: while the caller
// classifies batch k, batch k+1 is inflated and scanned on another core.
// `logwarden parse` over a day of captures spends about half its time in
// each, so on two or more cores the command takes nearly the time of the
// larger half instead of the sum. emit is still called on the caller's
// goroutine, in input order, one batch at a time; at most two payloads are
// in memory at once (the unbuffered hand-over bounds it).
func decodeAhead(d decoder, input []byte) []error {
	// Warnings travel with the batches, so that Warn, like emit, runs on
	// the caller's goroutine and in input order.
	type item struct {
		b    Batch
		warn string
		isW  bool
	}
	emit, warn := d.emit, d.warn
	ch := make(chan item)
	done := make(chan struct{})
	defer close(done) // emit panicked or returned: let the decoder finish
	send := func(it item) {
		select {
		case ch <- it:
		case <-done:
		}
	}
	d.emit = func(b Batch) { send(item{b: b}) }
	if warn != nil {
		d.warn = func(msg string) { send(item{warn: msg, isW: true}) }
	}
	go func() {
		defer close(ch)
		d.input(input)
	}()
	for it := range ch {
		if it.isW {
			warn(it.warn)
		} else {
			emit(it.b)
		}
	}
	return d.errs // written before close(ch), so read safely after it
}

func useAhead(input []byte) bool {
	return len(input) >= aheadMin && runtime.GOMAXPROCS(0) >= 2
}
