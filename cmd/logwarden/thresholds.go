package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/logwarden/logwarden/pkg/store"
	"github.com/logwarden/logwarden/pkg/store/open"
	"github.com/logwarden/logwarden/pkg/thresholds"
)

const thresholdsUsage = `usage: logwarden thresholds [list|attrs] [--store PATH|dynamodb] [--json]
       logwarden thresholds get ID [--json]
       logwarden thresholds set ID attr=value... 
       logwarden thresholds delete ID

Shows and edits the threshold items the detector reads: "defaults",
"loggroup#<log group>" and "function#<function name>" (a function's item
overrides its log group's, which overrides defaults). "attrs" lists every
attribute with its unit.

set merges into the item and validates it before writing. Values: numbers
(85, 0.5), true/false, durations and other strings (15m, arm64), comma lists
(allow_cidrs=10.0.0.0/8,192.168.0.0/16), a JSON object ({"a":"b"}), "quoted"
to force a string; attr= with nothing after the = removes the attribute.

Store: --store PATH (embedded file), --store dynamodb, or by default DynamoDB
when LOGWARDEN_CONFIG_TABLE or LOGWARDEN_STATE_TABLE is set, else the embedded
file under $XDG_STATE_HOME or ~/.local/state/logwarden/.

flags:
`

func init() {
	register(&command{name: "thresholds", summary: "list, get, set or delete threshold items", run: runThresholds})
}

type thresholdsCmd struct {
	store  string
	json   bool
	stdout io.Writer
	cfg    store.Config
}

func runThresholds(args []string, stdout, stderr io.Writer) int {
	c := &thresholdsCmd{stdout: stdout}
	fs := flag.NewFlagSet("thresholds", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, thresholdsUsage); fs.PrintDefaults() }
	fs.StringVar(&c.store, "store", "", "embedded store file, or \"dynamodb\"")
	fs.BoolVar(&c.json, "json", false, "print JSON (list, get)")
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	verb := "list"
	if len(pos) > 0 {
		verb, pos = pos[0], pos[1:]
	}
	want := map[string]int{"list": 0, "attrs": 0, "get": 1, "delete": 1, "set": -2}[verb]
	if want == 0 && verb != "list" && verb != "attrs" || want >= 0 && len(pos) != want || want < 0 && len(pos) < -want {
		fs.Usage()
		return 2
	}
	if verb == "attrs" {
		return c.printAttrs()
	}
	ctx := context.Background()
	stores, err := open.FromEnv(ctx, open.Options{StorePath: c.store, ConfigOnly: true})
	if err != nil {
		fmt.Fprintf(stderr, "logwarden thresholds: %v\n", err)
		return 1
	}
	defer stores.Close()
	c.cfg = stores.Config
	switch verb {
	case "list":
		err = c.list(ctx, stores.Desc)
	case "get":
		err = c.get(ctx, pos[0])
	case "set":
		err = c.set(ctx, pos[0], pos[1:])
	case "delete":
		err = c.cfg.DeleteItem(ctx, pos[0])
		if err == nil {
			fmt.Fprintf(stdout, "deleted %s\n", pos[0])
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "logwarden thresholds %s: %v\n", verb, err)
		return 1
	}
	return 0
}

// parseInterspersed lets flags follow positional arguments
// (`thresholds get defaults --json`), which package flag alone does not.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func (c *thresholdsCmd) list(ctx context.Context, desc string) error {
	items, err := c.cfg.ListItems(ctx)
	if err != nil {
		return err
	}
	if c.json {
		out := make([]map[string]any, len(items))
		for i, it := range items {
			out[i] = itemJSON(it)
		}
		return writeJSON(c.stdout, out)
	}
	if len(items) == 0 {
		fmt.Fprintf(c.stdout, "no threshold items in %s: built-in defaults apply (see `logwarden thresholds attrs`)\n", desc)
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
		return fmt.Errorf("no item %q", id)
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
func (c *thresholdsCmd) printAttrs() int {
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
	_ = tw.Flush()
	return 0
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

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
