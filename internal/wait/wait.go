// Package wait sleeps without outliving a context: retries and backoffs
// inside a Lambda invocation must give up when the deadline comes.
package wait

import (
	"context"
	"time"
)

// Sleep waits d, or returns ctx's error as soon as it is done.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
