package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/notify"
	"github.com/logwarden/logwarden/pkg/notify/channels"
	"github.com/logwarden/logwarden/pkg/notify/render"
)

func init() {
	register(&command{name: "notify", summary: "test the notification channels (notify test)", run: runNotify})
}

func runNotify(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "test" {
		fmt.Fprintln(stderr, "usage: logwarden notify test [-print] [-timeout 30s]\n\n"+
			"Sends one sample alert to each channel configured in the environment and reports per channel\n"+
			"what happened.")
		return 2
	}
	fs := flag.NewFlagSet("notify test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	print := fs.Bool("print", false, "also print the sample alert as text")
	timeout := fs.Duration("timeout", 30*time.Second, "give up on a channel after this long")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	cfg, errs := channels.FromEnv(os.Getenv)
	if len(errs) > 0 {
		for _, err := range errs {
			fmt.Fprintln(stderr, "config:", err)
		}
		return 1
	}
	sample := sampleAlert(time.Now().UTC())
	if *print {
		fmt.Fprint(stdout, render.PlainText(render.New(sample, cfg.Render)))
		fmt.Fprintln(stdout)
	}
	if !cfg.Slack() && !cfg.Email() {
		fmt.Fprintln(stderr, "logwarden:", channels.Hint())
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "aws config:", err)
		return 1
	}
	ns, err := channels.Build(ctx, cfg, awsCfg)
	if err != nil {
		fmt.Fprintln(stderr, "setup:", err)
		return 1
	}
	return testChannels(ctx, ns, sample, stdout)
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
