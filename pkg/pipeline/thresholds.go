package pipeline

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/store"
	"github.com/logwarden/logwarden/pkg/thresholds"
)

// DefaultReload is how long threshold items are cached: operators see their
// edits take effect within this time, and a busy processor reads the
// thresholds table about once a minute per container, not per batch.
const DefaultReload = 60 * time.Second

// ThresholdCache resolves thresholds from the operators' items: the
// thresholds table (Config, reloaded every Reload) and/or fixed items (a
// --thresholds file). Invalid items are skipped and reported through
// OnInvalid, so one bad edit never stops detection for everyone else.
type ThresholdCache struct {
	Config store.Config  // nil: Static only
	Static []store.Item  // applied before the table's items
	Reload time.Duration // 0: DefaultReload
	// AllowCIDRs are appended to every function's allow list (the
	// deployment's LOGWARDEN_ALLOW_CIDRS: own NAT, health checkers).
	AllowCIDRs []string
	OnInvalid  func(error)

	mu     sync.Mutex
	set    *thresholds.Set
	loaded time.Time
}

// For implements ThresholdSource.
func (c *ThresholdCache) For(ctx context.Context, function, logGroup string, now time.Time) (detect.Thresholds, error) {
	set, err := c.current(ctx, now)
	if err != nil {
		return detect.Thresholds{}, err
	}
	th := set.Resolve(function, logGroup)
	if len(c.AllowCIDRs) > 0 {
		th.AllowCIDRs = append(append([]string(nil), th.AllowCIDRs...), c.AllowCIDRs...)
	}
	return th, nil
}

func (c *ThresholdCache) current(ctx context.Context, now time.Time) (*thresholds.Set, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	reload := c.Reload
	if reload <= 0 {
		reload = DefaultReload
	}
	if c.set != nil && (c.Config == nil || now.Sub(c.loaded) < reload) {
		return c.set, nil
	}
	items := append([]store.Item(nil), c.Static...)
	if c.Config != nil {
		fromTable, err := c.Config.ListItems(ctx)
		if err != nil {
			if c.set != nil {
				// Keep detecting with the last good thresholds; the table
				// being briefly unreachable must not stop alerts.
				c.report(fmt.Errorf("reload thresholds (keeping the previous ones): %w", err))
				c.loaded = now
				return c.set, nil
			}
			return nil, fmt.Errorf("load thresholds: %w", err)
		}
		items = append(items, fromTable...)
	}
	set, err := thresholds.New(items)
	if err != nil {
		c.report(err)
	}
	c.set, c.loaded = set, now
	return set, nil
}

func (c *ThresholdCache) report(err error) {
	if c.OnInvalid != nil {
		c.OnInvalid(err)
	}
}

// RouteFor returns the thresholds of an alert's function, for the alert
// dispatcher's routing and cooldowns. Errors fall back to the defaults.
func (c *ThresholdCache) RouteFor(ctx context.Context, now func() time.Time) func(detect.Alert) detect.Thresholds {
	return func(a detect.Alert) detect.Thresholds {
		th, err := c.For(ctx, a.Function, a.LogGroup, now())
		if err != nil {
			return detect.Defaults()
		}
		return th
	}
}
