// Package customrules gets operators' parser rules (logline.Rule: regexp
// and JSON field matchers) to the deployed processor. The rules live in the
// thresholds (config) table as one item, id "rules", whose string attribute
// "rules" holds the same JSON or YAML document that `--rules FILE` takes on
// the command line.
//
// Why the config table rather than SSM or S3: the processor already reads
// it (no new IAM grant, parameter or bucket), it has point-in-time recovery
// for a bad edit, an item holds 400 KB (an SSM standard parameter 4 KB), and
// the thresholds the rules feed are edited in the same place.
//
// The rules are read once, at cold start. A rule that does not decode or
// validate is dropped and reported by name, and the others are used: one
// typo must not switch off every custom rule, nor stop the built-in
// detection (the same policy as threshold items). A document that cannot be
// read at all is an error.
package customrules

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/logwarden/logwarden/pkg/logline"
	"github.com/logwarden/logwarden/pkg/store"
	"github.com/logwarden/logwarden/pkg/thresholds"
)

// ItemID is the config-table item holding the rules; Attr is its attribute.
const (
	ItemID = thresholds.RulesID
	Attr   = "rules"
)

// MaxRules bounds the rules loaded: every regexp rule may run on each line
// that passes its prefilter, so a runaway list would slow every batch.
const MaxRules = 200

// ErrDocument marks a rules document that cannot be read at all.
var ErrDocument = errors.New("unreadable rules document")

// Decode reads a rules document (JSON or YAML; a list of rules or an
// object {"rules": [...]}) one rule at a time. Rules that fail to decode
// (unknown fields included: a typo must not silently change a rule),
// validate or that repeat an earlier name are left out, each with a problem
// naming it.
func Decode(doc string) (rules []logline.Rule, problems []error, err error) {
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &root); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrDocument, err)
	}
	if len(root.Content) == 0 {
		return nil, nil, nil // empty document: no rules
	}
	list, err := ruleList(root.Content[0])
	if err != nil {
		return nil, nil, err
	}
	if len(list) > MaxRules {
		return nil, nil, fmt.Errorf("%w: %d rules, at most %d", ErrDocument, len(list), MaxRules)
	}
	seen := map[string]bool{}
	for i, n := range list {
		r, err := decodeRule(n)
		name := ruleName(n, i)
		switch {
		case err != nil:
			problems = append(problems, fmt.Errorf("rule %s: %w", name, err))
			continue
		case seen[r.Name]:
			problems = append(problems, fmt.Errorf("rule %s: duplicate name, only the first is used", name))
			continue
		}
		if _, err := logline.New(r); err != nil {
			problems = append(problems, err) // logline names the rule
			continue
		}
		seen[r.Name] = true
		rules = append(rules, r)
	}
	return rules, problems, nil
}

// ruleList finds the sequence of rules: the document itself or its "rules".
func ruleList(n *yaml.Node) ([]*yaml.Node, error) {
	switch n.Kind {
	case yaml.SequenceNode:
		return n.Content, nil
	case yaml.MappingNode:
		var list []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value != "rules" || v.Kind != yaml.SequenceNode {
				return nil, fmt.Errorf("%w: line %d: want a list of rules or {\"rules\": [...]}, found key %q", ErrDocument, k.Line, k.Value)
			}
			list = v.Content
		}
		return list, nil
	}
	return nil, fmt.Errorf("%w: want a list of rules or {\"rules\": [...]}", ErrDocument)
}

// decodeRule decodes one rule strictly: yaml.Node.Decode ignores unknown
// fields, so the node is re-encoded and read by a KnownFields decoder.
func decodeRule(n *yaml.Node) (logline.Rule, error) {
	var r logline.Rule
	raw, err := yaml.Marshal(n)
	if err != nil {
		return r, err
	}
	d := yaml.NewDecoder(bytes.NewReader(raw))
	d.KnownFields(true)
	if err := d.Decode(&r); err != nil {
		return r, fmt.Errorf("%w: %v", logline.ErrInvalidRule, err)
	}
	return r, nil
}

// ruleName is the rule's name as written, or its position when it has none.
func ruleName(n *yaml.Node, i int) string {
	if n.Kind == yaml.MappingNode {
		for j := 0; j+1 < len(n.Content); j += 2 {
			if n.Content[j].Value == "name" && n.Content[j+1].Value != "" {
				return fmt.Sprintf("%q", n.Content[j+1].Value)
			}
		}
	}
	return fmt.Sprintf("#%d", i+1)
}

// Load reads the rules item from the config store. A missing item means no
// custom rules. The item's other attributes (a description, who changed it)
// are ignored.
func Load(ctx context.Context, cfg store.Config) (rules []logline.Rule, problems []error, err error) {
	it, ok, err := cfg.GetItem(ctx, ItemID)
	if err != nil {
		return nil, nil, fmt.Errorf("read custom rules: %w", err)
	}
	if !ok {
		return nil, nil, nil
	}
	doc, isString := it.Attrs[Attr].(string)
	if !isString {
		return nil, nil, fmt.Errorf("%w: item %q needs a string attribute %q holding the rules (JSON or YAML), got %T",
			ErrDocument, ItemID, Attr, it.Attrs[Attr])
	}
	rules, problems, err = Decode(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("item %q: %w", ItemID, err)
	}
	return rules, problems, nil
}

// Parser is the logline parser with the built-in matchers and rules.
func Parser(rules []logline.Rule) (*logline.Parser, error) {
	if len(rules) == 0 {
		return logline.Default(), nil
	}
	return logline.New(rules...)
}
