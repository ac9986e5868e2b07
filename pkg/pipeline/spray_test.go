package pipeline

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/store"
)

// sprayBatch is function fn's batch: one failed login from the sprayer and
// one each from three addresses of the function's own.
func sprayBatch(fn int) *cwlogs.Batch {
	b := &cwlogs.Batch{MessageType: cwlogs.DataMessage, LogGroup: fmt.Sprintf("/aws/lambda/fn%02d", fn), LogStream: "s"}
	for i, ip := range []string{"203.0.113.99", fmt.Sprintf("198.51.100.%d", 3*fn), fmt.Sprintf("198.51.100.%d", 3*fn+1),
		fmt.Sprintf("198.51.100.%d", 3*fn+2)} {
		b.LogEvents = append(b.LogEvents, cwlogs.LogEvent{
			ID:        fmt.Sprintf("%056d", 700000+fn*10+i),
			Timestamp: t0.Add(time.Duration(fn*10+i) * time.Second).UnixMilli(),
			Message:   fmt.Sprintf(`{"level":"warn","msg":"login failed","user":"user%d","ip":"%s"}`, fn, ip),
		})
	}
	return b
}

// TestSprayUnderConcurrentFunctions: 12 functions' processors, each with
// one failure of the same address, run at once and race for the spray
// shards (hot items every function writes). No count is lost to a lost
// race: the address (12 failures in 2 minutes) is blocked, with one alert,
// and none of the functions' own addresses is.
func TestSprayUnderConcurrentFunctions(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var alerts []detect.Alert
	conflicts := 0
	for fn := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := newProc(st)
			p.MaxAttempts = 100
			res, err := p.Process(ctx, sprayBatch(fn), t0)
			require.NoError(t, err)
			mu.Lock()
			alerts, conflicts = append(alerts, res.Alerts...), conflicts+res.Conflicts
			mu.Unlock()
		}()
	}
	wg.Wait()
	t.Logf("%d lost races", conflicts)
	got, err := st.Get(ctx, []string{detect.BlockKey(netip.MustParseAddr("203.0.113.99"))}, t0)
	require.NoError(t, err)
	e, err := detect.DecodeBlock(got[detect.BlockKey(netip.MustParseAddr("203.0.113.99"))].Data)
	require.NoError(t, err)
	require.True(t, e.Blocked(t0.Add(3*time.Minute)), "blocked: %+v", e)
	require.Len(t, alerts, 1, "%+v", alerts)
	require.Equal(t, detect.RuleSpray, alerts[0].Rule)
	require.Equal(t, "203.0.113.99", alerts[0].IP)
	recs, err := st.List(ctx, detect.PrefixBlock, t0)
	require.NoError(t, err)
	for _, r := range recs {
		e, err := detect.DecodeBlock(r.Data)
		require.NoError(t, err)
		require.Equal(t, e.IP == "203.0.113.99", e.Blocked(t0.Add(3*time.Minute)), e.IP)
	}
}
