// Package thresholds turns the operators' threshold items (DynamoDB items or
// a JSON file) into detect.Thresholds: parsing, validation with messages that
// name the item and attribute, and resolution defaults < log group <
// function.
//
// Items: "defaults", "loggroup#<log group name>", "function#<function name>".
// Attributes are named by the `attr` tags of detect.Thresholds; every one is
// optional. Durations are Go durations ("15m") or seconds (900). Per-type
// settings are flat attributes: `cooldown_<type>` (duration, e.g.
// cooldown_timeout = "48h"), `cooldown` (all types at once) and
// `muted_until_<type>` (RFC 3339), because DynamoDB items edited by hand are
// easiest with scalar attributes.
package thresholds

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/logwarden/logwarden/pkg/detect"
	"github.com/logwarden/logwarden/pkg/store"
)

// Item id forms.
const (
	DefaultsID      = "defaults"
	LogGroupPrefix  = "loggroup#"
	FunctionPrefix  = "function#"
	cooldownPrefix  = "cooldown_"
	mutedTypePrefix = "muted_until_"
)

// RulesID is the table's custom parser rules item (package customrules):
// it shares the table but is not a threshold item, so New skips it.
const RulesID = "rules"

// ErrInvalid wraps every validation error, so callers can tell a bad item
// (reject, tell the operator) from an I/O failure.
var ErrInvalid = errors.New("invalid threshold item")

// FunctionID and LogGroupID build item ids.
func FunctionID(name string) string { return FunctionPrefix + name }

// LogGroupID is the id of a log group's override item.
func LogGroupID(name string) string { return LogGroupPrefix + name }

// Set is a validated collection of threshold items.
type Set struct {
	items map[string]store.Item
}

// New validates items and indexes them by id. An invalid attribute drops
// only itself: the item keeps its valid attributes (an allow list must not
// vanish because a neighbouring ratio has a typo), and the error names the
// item and the attribute. An item with an invalid id is dropped. All
// problems are reported together, one per line.
func New(items []store.Item) (*Set, error) {
	s := &Set{items: map[string]store.Item{}}
	var errs []error
	for _, it := range items {
		if it.ID == RulesID {
			continue
		}
		if err := checkID(it.ID); err != nil {
			errs = append(errs, err)
			continue
		}
		bad := badAttrs(it)
		if len(bad) > 0 {
			kept := store.Item{ID: it.ID, Attrs: make(map[string]any, len(it.Attrs))}
			for name, v := range it.Attrs {
				if _, ok := bad[name]; !ok {
					kept.Attrs[name] = v
				}
			}
			for _, name := range sortedKeys(bad) {
				errs = append(errs, fmt.Errorf("%w (ignored: the item's other attributes still apply)", bad[name]))
			}
			it = kept
		}
		s.items[it.ID] = it
	}
	return s, errors.Join(errs...)
}

// Validate checks an item's id and every attribute, reporting every bad
// attribute.
func Validate(it store.Item) error {
	if err := checkID(it.ID); err != nil {
		return err
	}
	bad := badAttrs(it)
	errs := make([]error, 0, len(bad))
	for _, name := range sortedKeys(bad) {
		errs = append(errs, bad[name])
	}
	return errors.Join(errs...)
}

// badAttrs returns the error of each invalid attribute of it, by name.
func badAttrs(it store.Item) map[string]error {
	var th detect.Thresholds
	bad := map[string]error{}
	applyEach(&th, it, func(name string, err error) { bad[name] = err })
	return bad
}

// Resolve returns the thresholds for a function: built-in defaults, then
// the "defaults" item, then the log group's item, then the function's item.
func (s *Set) Resolve(function, logGroup string) detect.Thresholds {
	th := detect.Defaults()
	for _, id := range []string{DefaultsID, LogGroupID(logGroup), FunctionID(function)} {
		if it, ok := s.items[id]; ok {
			_ = apply(&th, it) // validated in New
		}
	}
	return th
}

// Items returns the items sorted by id.
func (s *Set) Items() []store.Item {
	out := make([]store.Item, 0, len(s.items))
	for _, it := range s.items {
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Resolve is New + Set.Resolve for callers holding raw items.
func Resolve(items []store.Item, function, logGroup string) (detect.Thresholds, error) {
	s, err := New(items)
	return s.Resolve(function, logGroup), err
}

func checkID(id string) error {
	switch {
	case id == DefaultsID:
		return nil
	case strings.HasPrefix(id, LogGroupPrefix) && len(id) > len(LogGroupPrefix),
		strings.HasPrefix(id, FunctionPrefix) && len(id) > len(FunctionPrefix):
		return nil
	}
	return fmt.Errorf("%w: id %q: must be %q, %q or %q", ErrInvalid, id, DefaultsID, LogGroupPrefix+"<name>", FunctionPrefix+"<name>")
}

// ignored attributes are notes operators may keep on an item.
var ignored = map[string]bool{"id": true, "description": true, "comment": true, "updated_at": true, "updated_by": true}

// apply sets every valid attribute of it onto th and returns the first
// error (items in a Set have no invalid attributes left).
func apply(th *detect.Thresholds, it store.Item) error {
	var first error
	applyEach(th, it, func(_ string, err error) {
		if first == nil {
			first = err
		}
	})
	return first
}

// applyEach sets every attribute of it onto th in name order; an invalid
// one leaves th as it was and is passed to bad.
func applyEach(th *detect.Thresholds, it store.Item, bad func(name string, err error)) {
	for _, name := range sortedKeys(it.Attrs) {
		if ignored[name] || strings.HasPrefix(name, "_") {
			continue
		}
		next := *th // setAttr may set a field before its range check fails
		if err := setAttr(&next, name, it.Attrs[name]); err != nil {
			bad(name, fmt.Errorf("%w: %s: %s: %v", ErrInvalid, it.ID, name, err))
			continue
		}
		*th = next
	}
}

func sortedKeys[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names) // deterministic messages
	return names
}
