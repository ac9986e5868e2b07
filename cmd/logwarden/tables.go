package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/logwarden/logwarden/pkg/store/dynamo"
	"github.com/logwarden/logwarden/pkg/store/open"
)

const tablesUsage = `usage: logwarden tables create [--state-table NAME] [--config-table NAME]

Creates logwarden's DynamoDB tables if they do not exist (on-demand billing,
the same keys as deploy/template.yaml: state table key pk (S), threshold
table key id (S)) and waits until they are ACTIVE. Safe to run again.

Table names default to $LOGWARDEN_STATE_TABLE / $LOGWARDEN_CONFIG_TABLE, else
logwarden-state / logwarden-config. Region, credentials and endpoint come
from the AWS SDK's usual settings (AWS_REGION, AWS_PROFILE,
AWS_ENDPOINT_URL_DYNAMODB for dynalite or DynamoDB Local).

flags:
`

func init() {
	register(&command{name: "tables", summary: "create the DynamoDB state and threshold tables (idempotent)", run: runTables})
}

func runTables(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tables", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, tablesUsage); fs.PrintDefaults() }
	stateTable := fs.String("state-table", envOr(open.EnvStateTable, "logwarden-state"), "state table name")
	configTable := fs.String("config-table", envOr(open.EnvConfigTable, "logwarden-config"), "threshold table name")
	if len(args) == 0 || args[0] != "create" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fs.Usage()
			return 0
		}
		fs.Usage()
		return 2
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || *stateTable == "" || *configTable == "" {
		fs.Usage()
		return 2
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "logwarden tables: load AWS configuration: %v\n", err)
		return 1
	}
	if cfg.Region == "" {
		fmt.Fprintln(stderr, "logwarden tables: no AWS region configured (set AWS_REGION or a profile's region)")
		return 1
	}
	client := dynamo.NewClient(cfg, nil)
	steps := []struct {
		what, name string
		ensure     func(context.Context, dynamo.TablesAPI, string) (bool, error)
	}{
		{"state table", *stateTable, dynamo.EnsureStateTable},
		{"threshold table", *configTable, dynamo.EnsureConfigTable},
	}
	for _, s := range steps {
		created, err := s.ensure(ctx, client, s.name)
		if err != nil {
			fmt.Fprintf(stderr, "logwarden tables: %v\n", err)
			return 1
		}
		status := "already existed"
		if created {
			status = "created"
		}
		fmt.Fprintf(stdout, "%-15s %-30s %s\n", s.what, s.name, status)
	}
	// TTL is the deployment template's job (dynalite cannot enable it), but
	// without it expired state is never deleted, so say how on real AWS.
	fmt.Fprintf(stdout, "\nOn AWS, expired state is deleted by DynamoDB TTL on attribute expires_at (deploy/template.yaml enables it). "+
		"For tables created here, enable it once:\n  aws dynamodb update-time-to-live --table-name %s "+
		"--time-to-live-specification Enabled=true,AttributeName=expires_at\n", *stateTable)
	return 0
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
