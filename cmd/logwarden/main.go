// Command logwarden is the operator CLI: fetch, parse and replay CloudWatch
// Logs captures, manage state tables, thresholds, baselines and the
// blocklist, subscribe log groups and test notification channels.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// cliIO carries the streams of one run: tests run the CLI with buffers.
type cliIO struct {
	stdout, stderr io.Writer
}

// commandFactories build the subcommands. Each lives in its own file and
// registers itself in init, so the subcommands stay independent of one
// another; the tree is built per run because it holds the run's streams.
var commandFactories []func(cliIO) *cobra.Command

func register(f func(cliIO) *cobra.Command) { commandFactories = append(commandFactories, f) }

// subcommandFactories build subcommands of a registered command, by the
// parent's name, for a file that adds one to another file's command (e.g.
// `baselines accept`) without editing it.
var subcommandFactories = map[string][]func(cliIO) *cobra.Command{}

func registerSub(parent string, f func(cliIO) *cobra.Command) {
	subcommandFactories[parent] = append(subcommandFactories[parent], f)
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// exitCode ends a command with a code whose message was already printed.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// usageError is a usage mistake: exit 2, with a pointer to --help.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// run executes the CLI and returns the exit code: 0 ok, 1 failure, 2 usage.
// Every error is printed once, as "logwarden <command>: …".
func run(args []string, stdout, stderr io.Writer) int {
	root := newRoot(cliIO{stdout: stdout, stderr: stderr})
	root.SetArgs(longFlagsWithOneDash(root, args))
	cmd, err := root.ExecuteC()
	if err == nil {
		return 0
	}
	var code exitCode
	if errors.As(err, &code) {
		return int(code)
	}
	if cmd == nil {
		cmd = root
	}
	var ue *usageError
	if errors.As(err, &ue) || isCobraUsageError(err) {
		fmt.Fprintf(stderr, "%s: %v\nRun '%s --help' for usage.\n", cmd.CommandPath(), err, cmd.CommandPath())
		return 2
	}
	fmt.Fprintf(stderr, "%s: %v\n", cmd.CommandPath(), err)
	return 1
}

// isCobraUsageError recognises cobra's own argument errors, which are plain
// errors: an unknown subcommand of the root command (with its "Did you
// mean" suggestion).
func isCobraUsageError(err error) bool {
	return strings.HasPrefix(err.Error(), "unknown command ")
}

func newRoot(o cliIO) *cobra.Command {
	root := &cobra.Command{
		Use:   "logwarden",
		Short: "CloudWatch Logs auth-abuse and performance-anomaly detector: the operator CLI",
		Long: `logwarden is the operator CLI of the logwarden CloudWatch Logs processor: fetch log
events, parse and replay them through the detector, inspect baselines and the blocklist,
tune thresholds, create tables and subscribe log groups.

Exit codes: 0 ok, 1 a failure (errors on stderr as "logwarden COMMAND: ..."), 2 usage.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, args []string) error {
			// No command: the overview on stderr and a usage exit, so a
			// script that forgot the command does not pass.
			cmd.SetOut(o.stderr)
			_ = cmd.Usage()
			return exitCode(2)
		},
	}
	root.SetOut(o.stdout)
	root.SetErr(o.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	subs := make([]*cobra.Command, 0, len(commandFactories))
	for _, f := range commandFactories {
		subs = append(subs, f(o))
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].Name() < subs[j].Name() })
	for _, c := range subs {
		for _, f := range subcommandFactories[c.Name()] {
			c.AddCommand(f(o))
		}
	}
	root.AddCommand(subs...)
	// cobra's completion command (bash, zsh, fish, powershell) is a group
	// without a Run: cobra would print help and exit 0 for "completion
	// tcsh". It gets the same usage error as every other group.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Args, c.RunE = noSubcommand, needSubcommand
		}
	}
	return root
}

// noSubcommand rejects positional arguments of a command that only has
// subcommands, naming the unknown one with cobra's suggestions (cobra
// itself does this only for the root command).
func noSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's default for the root
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return &usageError{errors.New(msg)}
}

// needSubcommand is the RunE of a command that only groups subcommands.
func needSubcommand(cmd *cobra.Command, _ []string) error {
	return usageErrorf("missing command: one of %s", strings.Join(subcommandNames(cmd), ", "))
}

func subcommandNames(cmd *cobra.Command) []string {
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	return names
}

// exactArgs and friends are cobra's validators returning usage errors.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErrorf("want %s, got %d arguments", what, len(args))
		}
		return nil
	}
}

func minArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < n {
			return usageErrorf("want %s", what)
		}
		return nil
	}
}

func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("unexpected arguments: %s", strings.Join(args, " "))
	}
	return nil
}

// longFlagsWithOneDash rewrites -json to --json for every long flag of the
// tree: the CLI was built on package flag, which accepts both, and scripts
// written then must keep working. Single-letter shorthands, "-" (stdin),
// the value of a flag that takes one (--exclude -json) and everything
// after "--" are left alone.
func longFlagsWithOneDash(root *cobra.Command, args []string) []string {
	takesValue := map[string]bool{"help": false}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		add := func(f *pflag.Flag) { takesValue[f.Name] = f.NoOptDefVal == "" }
		c.LocalFlags().VisitAll(add)
		c.PersistentFlags().VisitAll(add)
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	out := make([]string, len(args))
	copy(out, args)
	for i := 0; i < len(out); i++ {
		a := out[i]
		if a == "--" {
			break
		}
		if len(a) < 3 || a[0] != '-' {
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		value, known := takesValue[name]
		if !known {
			continue
		}
		if a[1] != '-' {
			out[i] = "-" + a
		}
		if value && !hasValue {
			i++ // the next argument is this flag's value, whatever it looks like
		}
	}
	return out
}
