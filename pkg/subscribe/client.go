package subscribe

import (
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/smithy-go"
)

// MaxAttempts bounds the retries of one API call. CloudWatch Logs control
// plane calls are limited to a few requests per second per account
// (DescribeSubscriptionFilters and PutSubscriptionFilter: 5 TPS), so walking
// thousands of groups hits ThrottlingException routinely; with a 20 s
// backoff ceiling, 12 attempts ride out a couple of minutes of throttling.
const MaxAttempts = 12

// NewClient returns a CloudWatch Logs client whose retryer tolerates
// throttling during a bulk walk. Endpoint and region come from cfg, so the
// SDK's own settings (AWS_REGION, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS) apply.
func NewClient(cfg aws.Config) *cloudwatchlogs.Client {
	return cloudwatchlogs.NewFromConfig(cfg, WithRetryer)
}

// WithRetryer is the client option NewClient uses.
func WithRetryer(o *cloudwatchlogs.Options) {
	o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
		so.MaxAttempts = MaxAttempts
		so.MaxBackoff = 20 * time.Second
		// The default token bucket fails calls fast after a burst of
		// throttles; a bulk walk would rather wait than give up.
		so.RateLimiter = ratelimit.None
		// The SDK counts LimitExceededException as throttling, but for
		// PutSubscriptionFilter it means "both filter slots are taken",
		// which no retry fixes. Retry it only when it is about rate.
		so.Retryables = append([]retry.IsErrorRetryable{retry.IsErrorRetryableFunc(limitNotRate)}, so.Retryables...)
	})
}

// limitNotRate refuses to retry a LimitExceededException that is not about
// request rate.
func limitNotRate(err error) aws.Ternary {
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "LimitExceededException" {
		return aws.UnknownTernary
	}
	if strings.Contains(strings.ToLower(ae.ErrorMessage()), "rate") {
		return aws.TrueTernary
	}
	return aws.FalseTernary
}
