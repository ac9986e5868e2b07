// Command processor is the Lambda function subscribed to CloudWatch Logs
// (directly, through Kinesis Data Streams or as a Firehose transformation):
// it decodes each delivery, classifies every log line, evaluates the
// detectors against the state in DynamoDB and sends alerts to Slack and SES.
//
// This file is wiring only; the logic lives in pkg/handler and below.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/sirupsen/logrus"
)

func main() {
	logger := logrus.New()
	logger.SetFormatter(&logrus.JSONFormatter{})
	logger.SetOutput(os.Stderr)
	log := logrus.NewEntry(logger).WithField("component", "processor")

	cfg, problems := loadConfig(os.Getenv)
	logger.SetLevel(cfg.LogLevel)
	if len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, p := range problems {
			log.WithError(p).Error("invalid configuration")
			msgs[i] = p.Error()
		}
		// Keep answering (with the reason) instead of crash-looping: every
		// event then fails visibly into the on-failure destination.
		failAll(fmt.Errorf("logwarden processor is misconfigured: %s", strings.Join(msgs, "; ")))
	}
	h, _, err := build(context.Background(), cfg, log, os.Stdout)
	if err != nil {
		log.WithError(err).Error("cold start failed")
		failAll(err)
	}
	lambda.Start(func(ctx context.Context, payload json.RawMessage) (any, error) {
		return h.Invoke(ctx, payload)
	})
}

func failAll(err error) {
	lambda.Start(func(context.Context, json.RawMessage) (any, error) { return nil, err })
	os.Exit(1)
}
