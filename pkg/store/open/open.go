// Package open chooses and opens logwarden's stores the way every command
// does: `--store PATH` (embedded bbolt file), `--store dynamodb`, or, with
// no flag, DynamoDB when LOGWARDEN_STATE_TABLE is set (as in the Lambda) or
// a stack is named (--stack, LOGWARDEN_STACK), and otherwise the embedded
// file at a per-user default path. Table names: see TableNames.
package open

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

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
	// ReadOnly is for commands that only look (baselines, blocklist): an
	// embedded file that does not exist is ErrNoStore, never created.
	ReadOnly bool
	// Stack is --stack: the CloudFormation stack whose outputs name the
	// tables; it selects DynamoDB like the table variables do.
	Stack string
	// TempState is ForReplay's temporary embedded file for the state;
	// empty keeps the state in memory.
	TempState string
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// AWSConfig, when set, replaces config.LoadDefaultConfig (tests). The
	// endpoint otherwise comes only from the SDK's own settings, e.g.
	// AWS_ENDPOINT_URL_DYNAMODB, so one binary talks to dynalite or AWS.
	AWSConfig *aws.Config
	// Stacks replaces the CloudFormation client (tests).
	Stacks StackOutputs
}

// ErrNoStore: a read-only command was pointed at an embedded file that
// does not exist.
var ErrNoStore = errors.New("no such store")

func (o Options) getenv() func(string) string {
	if o.Getenv == nil {
		return os.Getenv
	}
	return o.Getenv
}

// awsConfig loads the SDK configuration once, on first use: the stack
// lookup and the DynamoDB client share it, and an embedded store needs none.
func (o Options) awsConfig(ctx context.Context) func() (aws.Config, error) {
	return sync.OnceValues(func() (aws.Config, error) {
		if o.AWSConfig != nil {
			return *o.AWSConfig, nil
		}
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return cfg, fmt.Errorf("load AWS configuration: %w", err)
		}
		return cfg, nil
	})
}

// Stores are the opened stores. Close them when done: the embedded file is
// locked against other processes while open.
type Stores struct {
	// State is nil for ConfigOnly on DynamoDB.
	State  store.State
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
	getenv := o.getenv()
	stateTable, configTable := getenv(EnvStateTable), getenv(EnvConfigTable)
	useDynamo := o.ForceDynamo || o.StorePath == DynamoDB
	if o.StorePath == "" && !useDynamo {
		useDynamo = stateTable != "" || (o.ConfigOnly && configTable != "") || o.Stack != "" || getenv(EnvStack) != ""
	}
	if !useDynamo {
		if o.Stack != "" {
			return nil, errors.New("--store PATH and --stack exclude each other")
		}
		return openLocal(o.StorePath, getenv, o.ReadOnly)
	}
	return openDynamo(ctx, o, !o.ConfigOnly)
}

// ForReplay opens what a replay uses. A replay must never change the live
// state by accident, so without --store the state is the temporary
// embedded file o.TempState, and the thresholds come, read only, from
// where `logwarden thresholds` writes them: the DynamoDB threshold table
// when one is configured (LOGWARDEN_CONFIG_TABLE, --stack or
// LOGWARDEN_STACK), else the default embedded file if it exists. --store
// PATH keeps both in that file; --store dynamodb uses the deployed tables,
// state included.
func ForReplay(ctx context.Context, o Options) (*Stores, error) {
	if o.StorePath != "" {
		return FromEnv(ctx, o)
	}
	getenv := o.getenv()
	var s *Stores
	if o.TempState == "" {
		// In memory: a throwaway bbolt file made `make demo` wait on one
		// fsync per batch (18 s of a 0.3 s replay on a busy disk).
		mem := store.NewMemory()
		s = &Stores{State: mem, Config: mem, close: func() error { return nil },
			Desc: "state in memory (gone after the replay; keep it with --store PATH)"}
	} else {
		var err error
		if s, err = openLocal(o.TempState, getenv, false); err != nil {
			return nil, err
		}
		s.Desc = "state in a temporary embedded store (deleted after the replay; keep it with --store PATH)"
	}
	if getenv(EnvConfigTable) == "" && o.Stack == "" && getenv(EnvStack) == "" {
		return replayLocalThresholds(s, getenv)
	}
	d, err := openDynamo(ctx, o, false)
	if err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("threshold table: %w", err)
	}
	s.Config, s.Counter = readOnlyConfig{d.Config}, d.Counter
	s.Desc += ", thresholds from " + strings.TrimPrefix(d.Desc, "DynamoDB ") + " (read only)"
	return s, nil
}

// replayLocalThresholds reads the thresholds of the default embedded
// store, if there is one, so that `thresholds set` then `replay` works
// without AWS as it does with it.
func replayLocalThresholds(s *Stores, getenv func(string) string) (*Stores, error) {
	path, err := DefaultPath(getenv)
	if err != nil {
		s.Desc += ", no threshold items (built-in defaults)"
		return s, nil //nolint:nilerr // no home directory: nothing to read
	}
	def, err := openLocal(path, getenv, true)
	if errors.Is(err, ErrNoStore) {
		s.Desc += ", no threshold items (built-in defaults)"
		return s, nil
	}
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	tempClose := s.close
	s.Config = readOnlyConfig{def.Config}
	s.close = func() error { return errors.Join(def.Close(), tempClose()) }
	s.Desc += ", thresholds from " + def.Desc + " (read only)"
	return s, nil
}

// readOnlyConfig refuses writes: a replay reads the deployed thresholds.
type readOnlyConfig struct{ store.Config }

func (readOnlyConfig) PutItem(context.Context, store.Item) error {
	return errors.New("threshold table opened read only")
}

func (readOnlyConfig) DeleteItem(context.Context, string) error {
	return errors.New("threshold table opened read only")
}

func openLocal(path string, getenv func(string) string, readOnly bool) (*Stores, error) {
	if path == "" {
		var err error
		if path, err = DefaultPath(getenv); err != nil {
			return nil, err
		}
	}
	if readOnly {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: embedded store %s does not exist", ErrNoStore, path)
		}
	}
	s, err := local.Open(path)
	if err != nil {
		return nil, err
	}
	return &Stores{State: s, Config: s, Desc: "embedded store " + path, Path: path, close: s.Close}, nil
}

// openDynamo opens the DynamoDB tables the options name; needState says
// whether the command uses the state table (thresholds and a replay's
// threshold source do not).
func openDynamo(ctx context.Context, o Options, needState bool) (*Stores, error) {
	cfgFn := o.awsConfig(ctx)
	tables, err := TableNames(ctx, o, cfgFn)
	if err != nil {
		return nil, err
	}
	cfg, err := cfgFn()
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		return nil, errors.New("DynamoDB store: no AWS region configured (set AWS_REGION or a profile's region)")
	}
	counter := dynamo.NewCounter()
	client := dynamo.NewClient(cfg, counter)
	s := &Stores{Counter: counter, close: func() error { return nil }}
	var parts []string
	if needState {
		s.State = dynamo.NewState(client, tables.State)
		parts = append(parts, "state table "+tables.State)
	}
	s.Config = dynamo.NewConfig(client, tables.Config)
	parts = append(parts, "threshold table "+tables.Config)
	s.Desc = "DynamoDB " + strings.Join(parts, ", ") + " (" + cfg.Region + ")"
	if tables.From != "environment" {
		s.Desc += " from " + tables.From
	}
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
