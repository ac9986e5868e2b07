// Command subscriber is the Lambda function behind the EventBridge rule on
// CloudTrail CreateLogGroup events: it puts logwarden's subscription filter
// on every new log group that matches the configured selection rules, so
// groups created after `logwarden subscribe` are covered too.
//
// This file is wiring only; the logic is in handler.go and pkg/subscribe.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/sirupsen/logrus"

	"github.com/logwarden/logwarden/pkg/awsenv"
	"github.com/logwarden/logwarden/pkg/subscribe"
)

func main() {
	logger := logrus.New()
	logger.SetFormatter(&logrus.JSONFormatter{})
	log := logrus.NewEntry(logger).WithField("function", "subscriber")

	cfg, problems := loadConfig(os.Getenv)
	if len(problems) > 0 {
		for _, p := range problems {
			log.WithError(p).Error("invalid configuration")
		}
		os.Exit(1)
	}
	logger.SetLevel(cfg.LogLevel)

	// The Lambda environment's configuration only (see pkg/awsenv): the
	// SDK's loader links SSO, STS and IMDS clients a function never uses.
	awsCfg, err := awsenv.Load(nil)
	if err != nil {
		log.WithError(err).Error("load AWS configuration")
		os.Exit(1)
	}
	s := &subscribe.Subscriber{Logs: subscribe.NewClient(awsCfg), Rules: cfg.Rules, Target: cfg.Target}
	lambda.Start(func(ctx context.Context, ev events.CloudWatchEvent) error {
		return handle(ctx, s, ev, log)
	})
}
