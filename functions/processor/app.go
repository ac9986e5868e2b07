package main

import (
	"context"
	"fmt"
	"io"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/sirupsen/logrus"

	"github.com/logwarden/logwarden/pkg/alerting"
	"github.com/logwarden/logwarden/pkg/cwlogs"
	"github.com/logwarden/logwarden/pkg/handler"
	"github.com/logwarden/logwarden/pkg/notify/channels"
	"github.com/logwarden/logwarden/pkg/notify/slack"
	"github.com/logwarden/logwarden/pkg/pipeline"
	"github.com/logwarden/logwarden/pkg/store/open"
)

// build wires the processor from its configuration: AWS clients, stores,
// notifiers and caches are created here once per container.
func build(ctx context.Context, cfg config, log *logrus.Entry, metrics io.Writer) (*handler.Handler, func() error, error) {
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	stores, err := open.FromEnv(ctx, open.Options{StorePath: open.DynamoDB, ForceDynamo: true, AWSConfig: &awsCfg})
	if err != nil {
		return nil, nil, err
	}
	now := func() time.Time { return time.Now().UTC() }
	ch := cfg.Channels
	ch.SlackThreads = slack.StateThreads{State: stores.State, Now: now}
	notifiers, err := channels.Build(ctx, ch, awsCfg)
	if err != nil {
		_ = stores.Close()
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
	return h, stores.Close, nil
}
