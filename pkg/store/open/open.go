// Package open chooses and opens logwarden's stores the way every command
// does: `--store PATH` (embedded bbolt file), `--store dynamodb`, or, with
// no flag, DynamoDB when LOGWARDEN_STATE_TABLE is set (as in the Lambda) and
// otherwise the embedded file at a per-user default path.
package open

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/logwarden/logwarden/pkg/store"
	"github.com/logwarden/logwarden/pkg/store/dynamo"
	"github.com/logwarden/logwarden/pkg/store/local"
)

// Environment variables naming the DynamoDB tables.
const (
	EnvStateTable  = "LOGWARDEN_STATE_TABLE"
	EnvConfigTable = "LOGWARDEN_CONFIG_TABLE"
)

// DynamoDB is the --store value that selects DynamoDB.
const DynamoDB = "dynamodb"

// Options say which store to open.
type Options struct {
	// StorePath is the --store flag: a file path, "dynamodb", or empty to
	// decide from the environment.
	StorePath string
	// ForceDynamo requires DynamoDB, as --store dynamodb does.
	ForceDynamo bool
	// ConfigOnly is for commands that only need threshold items: with it,
	// LOGWARDEN_CONFIG_TABLE alone selects DynamoDB and State may be nil.
	ConfigOnly bool
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// AWSConfig, when set, replaces config.LoadDefaultConfig (tests). The
	// endpoint otherwise comes only from the SDK's own settings, e.g.
	// AWS_ENDPOINT_URL_DYNAMODB, so one binary talks to dynalite or AWS.
	AWSConfig *aws.Config
}

// Stores are the opened stores. Close them when done: the embedded file is
// locked against other processes while open.
type Stores struct {
	State store.State
	// Config is nil only on DynamoDB without LOGWARDEN_CONFIG_TABLE.
	Config store.Config
	// Desc says where the state lives, for logs and the CLI's output.
	Desc string
	// Counter counts DynamoDB calls; nil for the embedded store.
	Counter *dynamo.Counter
	// Path is the embedded store's file; empty on DynamoDB.
	Path  string
	close func() error
}

// Close releases the stores.
func (s *Stores) Close() error {
	if s == nil || s.close == nil {
		return nil
	}
	return s.close()
}

// FromEnv opens the stores the options and environment select.
func FromEnv(ctx context.Context, o Options) (*Stores, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	stateTable, configTable := getenv(EnvStateTable), getenv(EnvConfigTable)
	useDynamo := o.ForceDynamo || o.StorePath == DynamoDB
	if o.StorePath == "" && !useDynamo {
		useDynamo = stateTable != "" || (o.ConfigOnly && configTable != "")
	}
	if !useDynamo {
		return openLocal(o.StorePath, getenv)
	}
	return openDynamo(ctx, o, stateTable, configTable)
}

func openLocal(path string, getenv func(string) string) (*Stores, error) {
	if path == "" {
		var err error
		if path, err = DefaultPath(getenv); err != nil {
			return nil, err
		}
	}
	s, err := local.Open(path)
	if err != nil {
		return nil, err
	}
	return &Stores{State: s, Config: s, Desc: "embedded store " + path, Path: path, close: s.Close}, nil
}

func openDynamo(ctx context.Context, o Options, stateTable, configTable string) (*Stores, error) {
	switch {
	case o.ConfigOnly && configTable == "":
		return nil, fmt.Errorf("thresholds in DynamoDB need %s (the threshold table's name)", EnvConfigTable)
	case !o.ConfigOnly && stateTable == "":
		return nil, fmt.Errorf("--store dynamodb needs %s (and %s for thresholds)", EnvStateTable, EnvConfigTable)
	}
	var cfg aws.Config
	if o.AWSConfig != nil {
		cfg = *o.AWSConfig
	} else {
		var err error
		if cfg, err = config.LoadDefaultConfig(ctx); err != nil {
			return nil, fmt.Errorf("load AWS configuration: %w", err)
		}
	}
	if cfg.Region == "" {
		return nil, errors.New("DynamoDB store: no AWS region configured (set AWS_REGION or a profile's region)")
	}
	counter := dynamo.NewCounter()
	client := dynamo.NewClient(cfg, counter)
	s := &Stores{Counter: counter, close: func() error { return nil }}
	desc := "DynamoDB"
	if stateTable != "" {
		s.State = dynamo.NewState(client, stateTable)
		desc += " state table " + stateTable
	}
	if configTable != "" {
		s.Config = dynamo.NewConfig(client, configTable)
		if stateTable != "" {
			desc += ","
		}
		desc += " threshold table " + configTable
	}
	s.Desc = desc + " (" + cfg.Region + ")"
	return s, nil
}

// DefaultPath is the embedded store's file when --store is not given:
// $XDG_STATE_HOME/logwarden/state.db, or ~/.local/state/logwarden/state.db
// (the XDG base directory default for state data).
func DefaultPath(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if dir := getenv("XDG_STATE_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "logwarden", "state.db"), nil
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", fmt.Errorf("no default state file location (%w): pass --store PATH", err)
		}
	}
	return filepath.Join(home, ".local", "state", "logwarden", "state.db"), nil
}
