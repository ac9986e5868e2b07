package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/sirupsen/logrus"

	"github.com/logwarden/logwarden/pkg/subscribe"
)

// cloudTrailDetailType is the detail-type of EventBridge events that carry
// a CloudTrail management event.
const cloudTrailDetailType = "AWS API Call via CloudTrail"

// createLogGroupDetail is the part of the CloudTrail record we read.
type createLogGroupDetail struct {
	EventName         string `json:"eventName"`
	EventID           string `json:"eventID"`
	ErrorCode         string `json:"errorCode"`
	RequestParameters struct {
		LogGroupName string `json:"logGroupName"`
	} `json:"requestParameters"`
}

// handle subscribes the log group a CreateLogGroup event announces, if the
// rules select it. It returns an error only when a retry can help (an AWS
// call failed); events it cannot use, groups the rules skip, groups already
// subscribed and groups whose filter slots are full are logged, not retried.
func handle(ctx context.Context, s *subscribe.Subscriber, ev events.CloudWatchEvent, log *logrus.Entry) error {
	log = log.WithField("event_id", ev.ID)
	if ev.DetailType != cloudTrailDetailType {
		log.WithField("detail_type", ev.DetailType).Warn("ignoring event: not a CloudTrail API call")
		return nil
	}
	var d createLogGroupDetail
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		log.WithError(err).Warn("ignoring event: detail is not a CloudTrail record")
		return nil
	}
	log = log.WithFields(logrus.Fields{"cloudtrail_event_id": d.EventID, "log_group": d.RequestParameters.LogGroupName})
	switch {
	case d.EventName != "CreateLogGroup":
		log.WithField("event_name", d.EventName).Warn("ignoring event: not CreateLogGroup")
		return nil
	case d.ErrorCode != "":
		log.WithField("error_code", d.ErrorCode).Info("ignoring failed CreateLogGroup call")
		return nil
	case d.RequestParameters.LogGroupName == "":
		log.Warn("ignoring event: no requestParameters.logGroupName")
		return nil
	}

	plan, err := s.PlanGroups(ctx, []string{d.RequestParameters.LogGroupName})
	if err != nil {
		return fmt.Errorf("plan subscription of %s: %w", d.RequestParameters.LogGroupName, err)
	}
	if len(plan.Entries) == 0 {
		log.Info("log group not selected (prefix/pattern rules, or already deleted)")
		return nil
	}
	e := plan.Entries[0]
	log = log.WithField("action", string(e.Action))
	if e.Action != subscribe.Subscribe && e.Action != subscribe.Update {
		entry := log.WithField("reason", e.Reason)
		if e.Action == subscribe.Cannot {
			entry.Warn("cannot subscribe log group")
		} else {
			entry.Info("log group left as is")
		}
		return nil
	}
	rep := s.Apply(ctx, plan, nil)
	res := rep.Results[0]
	switch {
	case res.Action == subscribe.Cannot:
		log.WithError(res.Err).Warn("cannot subscribe log group: both subscription filter slots are taken")
		return nil
	case res.Err != nil:
		return res.Err
	}
	log.WithField("destination", s.Target.DestinationARN).Info("subscribed log group")
	return nil
}
