package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/notify"
	"github.com/logwarden/logwarden/pkg/notify/channels"
	"github.com/logwarden/logwarden/pkg/notify/render"
)

func init() { register(newNotifyCmd) }

func newNotifyCmd(o cliIO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "notify",
		Short: "test the notification channels (notify test)",
		Args:  noSubcommand,
		RunE:  needSubcommand,
	}
	var print bool
	var timeout time.Duration
	test := &cobra.Command{
		Use:   "test [flags]",
		Short: "send one sample alert to each configured channel",
		Long: "Sends one sample alert to each channel configured in the environment and reports per channel\n" +
			"what happened (ok, or the error and what to fix).",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runNotifyTest(cmd.Context(), print, timeout, o) },
	}
	test.Flags().BoolVar(&print, "print", false, "also print the sample alert as text")
	test.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "give up on a channel after this long")
	cmd.AddCommand(test)
	return cmd
}

func runNotifyTest(ctx context.Context, print bool, timeout time.Duration, o cliIO) error {
	cfg, errs := channels.FromEnv(os.Getenv)
	if len(errs) > 0 {
		return fmt.Errorf("configuration: %w", errors.Join(errs...))
	}
	sample := sampleAlert(time.Now().UTC())
	if print {
		fmt.Fprint(o.stdout, render.PlainText(render.New(sample, cfg.Render)))
		fmt.Fprintln(o.stdout)
	}
	if !cfg.Slack() && !cfg.Email() {
		return errors.New(channels.Hint())
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("AWS configuration: %w", err)
	}
	ns, err := channels.Build(ctx, cfg, awsCfg)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	if code := testChannels(ctx, ns, sample, o.stdout); code != 0 {
		return exitCode(code)
	}
	return nil
}

// testChannels sends the sample on each channel and prints one line each.
func testChannels(ctx context.Context, ns map[string]notify.Notifier, sample detect.Alert, w io.Writer) int {
	names := make([]string, 0, len(ns))
	for n := range ns {
		names = append(names, n)
	}
	sort.Strings(names)
	code := 0
	for _, name := range names {
		retry, err := ns[name].Notify(ctx, sample)
		switch {
		case err == nil:
			fmt.Fprintf(w, "%-6s ok\n", name)
		default:
			code = 1
			hint := "not retryable"
			if retry {
				hint = "temporary: try again"
			}
			fmt.Fprintf(w, "%-6s error (%s): %v\n", name, hint, err)
			if fix := notify.Fix(err); fix == "" && retry {
				fmt.Fprintf(w, "       fix: check network access to the service and its endpoint settings\n")
			}
		}
	}
	return code
}

func sampleAlert(now time.Time) detect.Alert {
	return detect.Alert{
		Type: detect.TypeDuration, Status: detect.StatusFiring, Severity: detect.SeverityWarning,
		Time: now, WindowStart: now.Add(-8 * time.Minute),
		Function: "logwarden-notify-test", LogGroup: "/aws/lambda/logwarden-notify-test",
		Summary: "This is a test alert sent by `logwarden notify test`: nothing is wrong.",
		Value:   29800, Baseline: 3100, Unit: "ms", Samples: 214,
		RequestIDs: []string{"8f5b7c1e-0000-4000-8000-000000000000"},
		Key:        detect.TypeDuration + "#logwarden-notify-test#test",
	}
}
