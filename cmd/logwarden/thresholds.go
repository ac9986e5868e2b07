package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/logwarden/logwarden/pkg/store"
	"github.com/logwarden/logwarden/pkg/store/open"
	"github.com/logwarden/logwarden/pkg/thresholds"
)

const thresholdsLong = `Shows and edits the threshold items the detector reads: "defaults",
"loggroup#<log group>" and "function#<function name>" (a function's item
overrides its log group's, which overrides defaults). Without a command: list.

set merges into the item and validates it before writing. Values: numbers
(85, 0.5), true/false, durations and other strings (15m, arm64), comma lists
(allow_cidrs=10.0.0.0/8,192.168.0.0/16), a JSON object ({"a":"b"}), "quoted"
to force a string; attr= with nothing after the = removes the attribute.
add and remove change list attributes (allow_cidrs, email_to) one entry at a
time: add appends to the item's effective list, which starts from the
defaults item's value (else the built-in default) when the item does not set
the attribute, so a function's allow list keeps the shared entries.

Store: --store PATH (embedded file), --store dynamodb, --stack NAME, or by
default DynamoDB when LOGWARDEN_CONFIG_TABLE, LOGWARDEN_STATE_TABLE or
LOGWARDEN_STACK is set, else the embedded file under $XDG_STATE_HOME or
~/.local/state/logwarden/.`

func init() { register(newThresholdsCmd) }

type thresholdsCmd struct {
	store, stack string
	json         bool
	stdout       io.Writer
	cfg          store.Config
	desc         string
}

func newThresholdsCmd(o cliIO) *cobra.Command {
	c := &thresholdsCmd{stdout: o.stdout}
	cmd := &cobra.Command{
		Use:   "thresholds",
		Short: "list, get, set, add to, remove from or delete threshold items",
		Long:  thresholdsLong,
		Args:  noSubcommand,
		RunE:  c.withStore(true, func(ctx context.Context, _ []string) error { return c.list(ctx) }),
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&c.store, "store", "", "embedded store file `PATH`, or \"dynamodb\"")
	pf.StringVar(&c.stack, "stack", "", "CloudFormation stack `NAME` whose outputs name the tables (default $LOGWARDEN_STACK)")
	pf.BoolVar(&c.json, "json", false, "print JSON lines: one item (attrs: attribute) per line")
	sub := func(use, short string, args cobra.PositionalArgs, run func(context.Context, []string) error) {
		// Only the commands that write may create the embedded file.
		readOnly := !slices.Contains([]string{"set", "add", "remove"}, strings.Fields(use)[0])
		cmd.AddCommand(&cobra.Command{Use: use, Short: short, Args: args, RunE: c.withStore(readOnly, run)})
	}
	sub("list", "list every item (the default)", noArgs, func(ctx context.Context, _ []string) error { return c.list(ctx) })
	sub("get ID", "show one item", exactArgs(1, "ID"), func(ctx context.Context, a []string) error { return c.get(ctx, a[0]) })
	sub("set ID ATTR=VALUE...", "merge attributes into an item (ATTR= removes one)", minArgs(2, "ID and at least one ATTR=VALUE"),
		func(ctx context.Context, a []string) error { return c.set(ctx, a[0], a[1:]) })
	sub("add ID ATTR=VALUE...", "add entries to list attributes (allow_cidrs, email_to)", minArgs(2, "ID and at least one ATTR=VALUE"),
		func(ctx context.Context, a []string) error { return c.editList(ctx, a[0], a[1:], true) })
	sub("remove ID ATTR=VALUE...", "remove entries from list attributes", minArgs(2, "ID and at least one ATTR=VALUE"),
		func(ctx context.Context, a []string) error { return c.editList(ctx, a[0], a[1:], false) })
	sub("delete ID", "delete an item (an error if it does not exist)", exactArgs(1, "ID"),
		func(ctx context.Context, a []string) error { return c.delete(ctx, a[0]) })
	cmd.AddCommand(&cobra.Command{Use: "attrs", Short: "list every attribute with its unit and default", Args: noArgs,
		RunE: func(*cobra.Command, []string) error { return c.printAttrs() }})
	return cmd
}

// withStore opens the threshold store around a subcommand. A read-only
// one never creates the embedded file: the default one not existing yet
// just means no items.
func (c *thresholdsCmd) withStore(readOnly bool, run func(context.Context, []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		stores, err := open.FromEnv(ctx, open.Options{StorePath: c.store, Stack: c.stack, ConfigOnly: true, ReadOnly: readOnly})
		if errors.Is(err, open.ErrNoStore) && c.store == "" {
			path, _ := open.DefaultPath(nil)
			c.cfg, c.desc = store.NewMemory(), "the default embedded store "+path+" (not created yet)"
			return run(ctx, args)
		}
		if err != nil {
			return err
		}
		defer stores.Close()
		c.cfg, c.desc = stores.Config, stores.Desc
		return run(ctx, args)
	}
}

func (c *thresholdsCmd) delete(ctx context.Context, id string) error {
	if _, ok, err := c.cfg.GetItem(ctx, id); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("no item %q in %s", id, c.desc)
	}
	if err := c.cfg.DeleteItem(ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "deleted %s\n", id)
	return nil
}

func (c *thresholdsCmd) list(ctx context.Context) error {
	items, err := c.cfg.ListItems(ctx)
	if err != nil {
		return err
	}
	if c.json {
		for _, it := range items {
			if err := writeJSON(c.stdout, itemJSON(it)); err != nil {
				return err
			}
		}
		return nil
	}
	if len(items) == 0 {
		fmt.Fprintf(c.stdout, "no threshold items in %s: built-in defaults apply (see `logwarden thresholds attrs`)\n", c.desc)
		return nil
	}
	c.table(items)
	if _, err := thresholds.New(items); err != nil {
		fmt.Fprintf(c.stdout, "\nproblems (the processor ignores these items):\n%v\n", err)
	}
	return nil
}

func (c *thresholdsCmd) get(ctx context.Context, id string) error {
	it, ok, err := c.cfg.GetItem(ctx, id)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no item %q in %s", id, c.desc)
	}
	if c.json {
		return writeJSON(c.stdout, itemJSON(it))
	}
	c.table([]store.Item{it})
	return nil
}

func (c *thresholdsCmd) set(ctx context.Context, id string, assigns []string) error {
	it, _, err := c.cfg.GetItem(ctx, id)
	if err != nil {
		return err
	}
	it.ID = id
	if it.Attrs == nil {
		it.Attrs = map[string]any{}
	}
	for _, a := range assigns {
		name, raw, ok := strings.Cut(a, "=")
		if !ok || name == "" {
			return fmt.Errorf("%q is not attr=value", a)
		}
		if raw == "" {
			delete(it.Attrs, name)
			continue
		}
		v, err := parseValue(name, raw)
		if err != nil {
			return fmt.Errorf("attribute %q: %w", name, err)
		}
		it.Attrs[name] = v
	}
	if err := thresholds.Validate(it); err != nil {
		return err
	}
	if err := c.cfg.PutItem(ctx, it); err != nil {
		return err
	}
	c.table([]store.Item{it})
	return nil
}

// table prints one row per attribute, with the documented unit.
func (c *thresholdsCmd) table(items []store.Item) {
	units := attrUnits()
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ITEM\tATTRIBUTE\tVALUE\tUNIT")
	for _, it := range items {
		names := make([]string, 0, len(it.Attrs))
		for n := range it.Attrs {
			names = append(names, n)
		}
		sort.Strings(names)
		if len(names) == 0 {
			fmt.Fprintf(tw, "%s\t-\t-\t\n", it.ID)
		}
		for _, n := range names {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", it.ID, n, formatValue(it.Attrs[n]), unitOf(units, n))
		}
	}
	_ = tw.Flush()
}

// printAttrs lists the documented attributes, in thresholds.Docs order.
func (c *thresholdsCmd) printAttrs() error {
	if c.json {
		for _, d := range thresholds.Docs() {
			if err := writeJSON(c.stdout, map[string]string{"name": d.Name, "unit": d.Unit, "default": d.Default, "description": d.Description}); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	// DEFAULT goes last: the per-type cooldown default is long.
	fmt.Fprintln(tw, "ATTRIBUTE\tUNIT\tMEANING\tDEFAULT")
	for _, d := range thresholds.Docs() {
		def := d.Default
		if def == "" {
			def = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.Name, d.Unit, d.Description, def)
	}
	return tw.Flush()
}

// attrUnits maps documented attribute names to their units.
func attrUnits() map[string]string {
	m := map[string]string{}
	for _, d := range thresholds.Docs() {
		m[d.Name] = d.Unit
	}
	return m
}

func unitOf(units map[string]string, name string) string {
	switch {
	case units[name] != "":
		return units[name]
	case strings.HasPrefix(name, "cooldown_"):
		return "duration"
	case strings.HasPrefix(name, "muted_until_"):
		return "RFC 3339"
	}
	return ""
}

// parseValue turns a command-line value into an item attribute value. List
// attributes always become lists, so allow_cidrs=10.0.0.0/8 is a one-element
// list rather than a string.
func parseValue(name, raw string) (any, error) {
	if strings.Contains(attrUnits()[name], "list") {
		return splitList(raw), nil
	}
	switch {
	case len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"':
		return strconv.Unquote(raw)
	case raw == "true" || raw == "false":
		return raw == "true", nil
	case strings.HasPrefix(raw, "{"):
		var m map[string]any
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			return nil, fmt.Errorf("JSON object: %w", err)
		}
		return m, nil
	}
	if f, err := strconv.ParseFloat(raw, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return f, nil
	}
	if strings.Contains(raw, ",") {
		return splitList(raw), nil
	}
	return raw, nil
}

func splitList(raw string) []string {
	out := []string{}
	for _, s := range strings.Split(raw, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func formatValue(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []string:
		return strings.Join(x, ",")
	case map[string]any:
		b, _ := json.Marshal(x)
		return string(b)
	default:
		return fmt.Sprint(x)
	}
}

// itemJSON is the item as one flat object, the shape of the DynamoDB item.
func itemJSON(it store.Item) map[string]any {
	m := make(map[string]any, len(it.Attrs)+1)
	for k, v := range it.Attrs {
		m[k] = v
	}
	m[store.KeyAttr] = it.ID
	return m
}

// writeJSON writes v as one line: --json means JSON lines everywhere.
func writeJSON(w io.Writer, v any) error {
	return json.NewEncoder(w).Encode(v)
}
