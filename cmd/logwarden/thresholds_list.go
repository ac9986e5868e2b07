package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/logwarden/logwarden/pkg/store"
	"github.com/logwarden/logwarden/pkg/thresholds"
)

// isListAttr reports whether name is a list attribute (its unit says so).
func isListAttr(name string) bool { return strings.Contains(attrUnits()[name], "list") }

// editList adds (or removes) entries of list attributes. The starting
// point is the item's own list, else what the item would inherit: the
// defaults item's list, else the built-in default. Writing the item's list
// then keeps the inherited entries instead of replacing them, which is
// what an operator adding one address to a function's allow list means.
func (c *thresholdsCmd) editList(ctx context.Context, id string, assigns []string, add bool) error {
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
		if !ok || name == "" || strings.TrimSpace(raw) == "" {
			return fmt.Errorf("%q is not attr=value", a)
		}
		if !isListAttr(name) {
			return fmt.Errorf("attribute %q is not a list (lists: %s); use 'thresholds set'", name, strings.Join(listAttrs(), ", "))
		}
		cur, err := c.effectiveList(ctx, it, name)
		if err != nil {
			return err
		}
		for _, v := range splitList(raw) {
			i := slices.Index(cur, v)
			switch {
			case add && i < 0:
				cur = append(cur, v)
			case !add && i < 0:
				return fmt.Errorf("%s: %s is not in %s's %s (%s)", name, v, id, name, orDash(strings.Join(cur, ",")))
			case !add:
				cur = slices.Delete(cur, i, i+1)
			}
		}
		it.Attrs[name] = cur
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

func (c *thresholdsCmd) effectiveList(ctx context.Context, it store.Item, name string) ([]string, error) {
	if v, ok := it.Attrs[name]; ok {
		return toList(v), nil
	}
	if it.ID != "defaults" {
		def, ok, err := c.cfg.GetItem(ctx, "defaults")
		if err != nil {
			return nil, err
		}
		if v, set := def.Attrs[name]; ok && set {
			return toList(v), nil
		}
	}
	for _, d := range thresholds.Docs() {
		if d.Name == name && d.Default != "-" && d.Default != "" {
			return splitList(d.Default), nil
		}
	}
	return []string{}, nil
}

// toList reads a stored list attribute: a list, or one comma-separated
// string (as a hand-edited DynamoDB item may hold).
func toList(v any) []string {
	switch x := v.(type) {
	case []string:
		return slices.Clone(x)
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	case string:
		return splitList(x)
	}
	return []string{}
}

func listAttrs() []string {
	var out []string
	for _, d := range thresholds.Docs() {
		if strings.Contains(d.Unit, "list") {
			out = append(out, d.Name)
		}
	}
	return out
}
