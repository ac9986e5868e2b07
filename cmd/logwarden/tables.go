package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/logwarden/logwarden/pkg/store/dynamo"
	"github.com/logwarden/logwarden/pkg/store/open"
)

const tablesLong = `Creates logwarden's DynamoDB tables if they do not exist (on-demand billing,
the same keys as deploy/template.yaml: state table key pk (S), threshold
table key id (S)) and waits until they are ACTIVE. Safe to run again.

Table names: --state-table/--config-table, else the names every other command
uses with --store dynamodb: $LOGWARDEN_STATE_TABLE / $LOGWARDEN_CONFIG_TABLE,
else the outputs of --stack NAME ($LOGWARDEN_STACK), else logwarden-state /
logwarden-config. Region, credentials and endpoint come from the AWS SDK's
usual settings (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_DYNAMODB for
dynalite or DynamoDB Local).`

func init() { register(newTablesCmd) }

func newTablesCmd(o cliIO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tables",
		Short: "create the DynamoDB state and threshold tables (idempotent)",
		Long:  tablesLong,
		Args:  noSubcommand,
		RunE:  needSubcommand,
	}
	var stateTable, configTable, stack string
	create := &cobra.Command{
		Use:   "create [flags]",
		Short: "create the tables if they do not exist",
		Long:  tablesLong,
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTablesCreate(cmd.Context(), stateTable, configTable, stack, o)
		},
	}
	fl := create.Flags()
	fl.StringVar(&stateTable, "state-table", "", "state table `NAME` (default: as --store dynamodb resolves it)")
	fl.StringVar(&configTable, "config-table", "", "threshold table `NAME` (default: as --store dynamodb resolves it)")
	fl.StringVar(&stack, "stack", "", "CloudFormation stack `NAME` whose outputs name the tables (default $LOGWARDEN_STACK)")
	cmd.AddCommand(create)
	return cmd
}

func runTablesCreate(ctx context.Context, stateTable, configTable, stack string, o cliIO) error {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return errors.New("no AWS region configured (set AWS_REGION or a profile's region)")
	}
	names, err := open.TableNames(ctx, open.Options{Stack: stack}, func() (aws.Config, error) { return cfg, nil })
	if err != nil {
		return err
	}
	stateTable = cmp.Or(stateTable, names.State)
	configTable = cmp.Or(configTable, names.Config)
	client := dynamo.NewClient(cfg, nil)
	steps := []struct {
		what, name string
		ensure     func(context.Context, dynamo.TablesAPI, string) (bool, error)
	}{
		{"state table", stateTable, dynamo.EnsureStateTable},
		{"threshold table", configTable, dynamo.EnsureConfigTable},
	}
	for _, s := range steps {
		created, err := s.ensure(ctx, client, s.name)
		if err != nil {
			return err
		}
		status := "already existed"
		if created {
			status = "created"
		}
		fmt.Fprintf(o.stdout, "%-15s %-30s %s\n", s.what, s.name, status)
	}
	// TTL is the deployment template's job (dynalite cannot enable it), but
	// without it expired state is never deleted, so say how on real AWS.
	fmt.Fprintf(o.stdout, "\nOn AWS, expired state is deleted by DynamoDB TTL on attribute expires_at (deploy/template.yaml enables it). "+
		"For tables created here, enable it once:\n  aws dynamodb update-time-to-live --table-name %s "+
		"--time-to-live-specification Enabled=true,AttributeName=expires_at\n", stateTable)
	return nil
}
