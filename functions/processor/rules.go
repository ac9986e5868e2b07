package main

import (
	"context"

	"github.com/sirupsen/logrus"

	"github.com/logwarden/logwarden/pkg/customrules"
	"github.com/logwarden/logwarden/pkg/logline"
	"github.com/logwarden/logwarden/pkg/store"
)

// loadParser builds the parser with the operators' custom rules, read once
// from the config table's "rules" item (package customrules, documented in
// deploy/README.md). Every invalid rule is dropped and logged at error
// level with its name; the valid ones are used. When the item cannot be
// read or is not a rules document, the processor runs with the built-in
// matchers and says so at error level: failing the cold start instead would
// leave this container failing every event until Lambda recycles it.
func loadParser(ctx context.Context, cfg store.Config, log *logrus.Entry) *logline.Parser {
	rules, problems, err := customrules.Load(ctx, cfg)
	if err != nil {
		log.WithError(err).Error("custom parser rules not loaded; using the built-in matchers only until the next cold start")
		return logline.Default()
	}
	for _, p := range problems {
		log.WithError(p).Error("invalid custom parser rule dropped; fix it in the config table's \"rules\" item")
	}
	p, err := customrules.Parser(rules)
	if err != nil { // Decode validated each rule; kept as a guard
		log.WithError(err).Error("custom parser rules not usable; using the built-in matchers only")
		return logline.Default()
	}
	if len(rules) > 0 || len(problems) > 0 {
		log.WithFields(logrus.Fields{"rules": len(rules), "dropped": len(problems)}).Info("custom parser rules loaded")
	}
	return p
}
