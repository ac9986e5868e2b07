package email

import (
	"context"
	"errors"
	"net"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/logwarden/logwarden/pkg/notify"
)

// SES error codes that a later attempt can get past
// (docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html).
var retryableCodes = map[string]bool{
	"TooManyRequestsException": true, "LimitExceededException": true, "Throttling": true,
	"ThrottlingException": true, "ServiceUnavailable": true, "InternalFailure": true,
	"RequestTimeout": true,
}

var fixes = map[string]string{
	"MessageRejected":                    "SES rejected the message: in the SES sandbox verify the recipients, or request production access",
	"MailFromDomainNotVerifiedException": "verify the MAIL FROM domain of LOGWARDEN_EMAIL_FROM in SES",
	"AccountSuspendedException":          "the SES account is suspended for sending: see the SES console's reputation dashboard",
	"SendingPausedException":             "sending is paused for the account or configuration set: resume it in SES",
	"NotFoundException":                  "the configuration set in LOGWARDEN_EMAIL_CONFIGURATION_SET does not exist in this region",
	"AccessDeniedException":              "the function's role lacks ses:SendEmail on the identity of LOGWARDEN_EMAIL_FROM",
	"UnrecognizedClientException":        "the AWS credentials are invalid",
	"InvalidClientTokenId":               "the AWS credentials are invalid",
	"BadRequestException":                "SES rejected the request: check LOGWARDEN_EMAIL_FROM and the recipients are valid addresses",
}

func classify(err error) (bool, error) {
	ne := &notify.Error{Channel: "email", Err: err}
	var api smithy.APIError
	var resp *awshttp.ResponseError
	var nerr net.Error
	switch {
	case errors.As(err, &api) && retryableCodes[api.ErrorCode()]:
		return true, ne
	case errors.As(err, &resp) && (resp.HTTPStatusCode() >= 500 || resp.HTTPStatusCode() == 429):
		return true, ne
	case errors.As(err, &api):
		ne.Fix = fixes[api.ErrorCode()]
		if ne.Fix == "" {
			ne.Fix = "SES refused the message (" + api.ErrorCode() + "): check the sender identity, recipients and region"
		}
		return false, ne
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled), errors.As(err, &nerr):
		return true, ne
	}
	// Anything else before a response (connection refused, reset) is
	// transport trouble: retry.
	return resp == nil, ne
}
