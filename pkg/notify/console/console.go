// Package console writes alerts as plain text, for the CLI and for logs.
package console

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/notify/render"
)

// Notifier writes alerts to W.
type Notifier struct {
	mu     sync.Mutex
	w      io.Writer
	render render.Options
}

// New returns a notifier writing to w.
func New(w io.Writer, opt render.Options) *Notifier { return &Notifier{w: w, render: opt} }

// Name implements notify.Notifier.
func (n *Notifier) Name() string { return "console" }

// Notify implements notify.Notifier. A write error is not retryable: the
// terminal or pipe is gone.
func (n *Notifier) Notify(_ context.Context, alerts ...detect.Alert) (bool, error) {
	if len(alerts) == 0 {
		return false, nil
	}
	var b strings.Builder
	if len(alerts) > 1 {
		fmt.Fprintf(&b, "=== %d alerts ===\n\n", len(alerts))
	}
	// A blank line after every alert keeps consecutive messages apart.
	for _, c := range render.All(alerts, n.render) {
		b.WriteString(render.PlainText(c))
		b.WriteString("\n")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err := io.WriteString(n.w, b.String()); err != nil {
		return false, fmt.Errorf("console: %w", err)
	}
	return false, nil
}
