package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/logwarden/logwarden/pkg/alerting"
	"github.com/logwarden/logwarden/pkg/awsenv"
	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/handler"
	"github.com/logwarden/logwarden/pkg/notify/channels"
	"github.com/logwarden/logwarden/pkg/notify/slack"
	"github.com/logwarden/logwarden/pkg/pipeline"
	"github.com/logwarden/logwarden/pkg/store/dynamo"
)

// build wires the processor from its configuration: AWS clients, stores,
// notifiers and caches are created here once per container.
func build(ctx context.Context, cfg config, log *logrus.Entry, metrics io.Writer) (*handler.Handler, func() error, error) {
	// awsenv and dynamo directly, not config.LoadDefaultConfig and
	// store/open: those link SSO/STS/IMDS and bbolt into the bootstrap.
	awsCfg, err := awsenv.Load(nil)
	if err != nil {
		return nil, nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	db := dynamo.NewClient(awsCfg, nil)
	stores := struct {
		State  *dynamo.State
		Config *dynamo.Config
	}{dynamo.NewState(db, cfg.StateTable), dynamo.NewConfig(db, cfg.ConfigTable)}
	now := func() time.Time { return time.Now().UTC() }
	ch := cfg.Channels
	ch.SlackThreads = slack.StateThreads{State: stores.State, Now: now}
	notifiers, err := channels.Build(ctx, ch, awsCfg)
	if err != nil {
		return nil, nil, fmt.Errorf("notification channels: %w", err)
	}
	if len(notifiers) == 0 {
		log.Warn("no notification channel configured: alerts are only logged. " + channels.Hint())
	}
	cache := &pipeline.ThresholdCache{
		Config:     stores.Config,
		AllowCIDRs: cfg.AllowCIDRs,
		OnInvalid: func(err error) {
			log.WithError(err).Error("invalid threshold items ignored; fix them in the thresholds table")
		},
	}
	skip := map[string]bool{}
	if cfg.Function != "" {
		skip["/aws/lambda/"+cfg.Function] = true
	}
	proc := &pipeline.Processor{
		Parser:        loadParser(ctx, stores.Config, log),
		State:         stores.State,
		Thresholds:    cache,
		SkipLogGroups: skip,
	}
	h := &handler.Handler{
		Pipeline:   proc,
		Dispatcher: alerting.New(stores.State, notifiers, cache.RouteFor(context.Background(), now), log),
		Limits:     cwlogs.Limits{MaxInflated: cfg.MaxInflated},
		Log:        log,
		Metrics:    metrics,
		Function:   cfg.Function,
		Now:        now,
		Reserve:    cfg.Reserve,
	}
	return h, func() error { return nil }, nil
}
