package thresholds

import (
	"fmt"
	"math"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/logwarden/logwarden/pkg/detect"
)

// fields maps attribute names to detect.Thresholds field indexes.
var fields = func() map[string]int {
	m := map[string]int{}
	t := reflect.TypeFor[detect.Thresholds]()
	for i := range t.NumField() {
		if a := t.Field(i).Tag.Get("attr"); a != "" {
			m[a] = i
		}
	}
	return m
}()

var (
	durationType = reflect.TypeFor[time.Duration]()
	timeType     = reflect.TypeFor[time.Time]()
)

// setAttr parses v into the attribute's field and checks its range.
func setAttr(th *detect.Thresholds, name string, v any) error {
	switch {
	case strings.HasPrefix(name, cooldownPrefix) || name == "cooldown":
		return setCooldown(th, strings.TrimPrefix(strings.TrimPrefix(name, "cooldown"), "_"), v)
	case strings.HasPrefix(name, mutedTypePrefix):
		return setMutedType(th, strings.TrimPrefix(name, mutedTypePrefix), v)
	case name == "muted_types":
		return fmt.Errorf("use one muted_until_<type> attribute per alert type")
	}
	i, ok := fields[name]
	if !ok {
		return fmt.Errorf("unknown attribute (see `logwarden thresholds` for the list)")
	}
	f := reflect.ValueOf(th).Elem().Field(i)
	switch {
	case f.Type() == durationType:
		d, err := parseDuration(v)
		if err != nil {
			return err
		}
		f.SetInt(int64(d))
	case f.Type() == timeType:
		t, err := parseTime(v)
		if err != nil {
			return err
		}
		f.Set(reflect.ValueOf(t))
	case f.Kind() == reflect.Int:
		n, err := parseInt(v)
		if err != nil {
			return err
		}
		f.SetInt(int64(n))
	case f.Kind() == reflect.Float64:
		x, err := parseFloat(v)
		if err != nil {
			return err
		}
		f.SetFloat(x)
	case f.Kind() == reflect.String:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("must be a string, got %T", v)
		}
		f.SetString(strings.TrimSpace(s))
	case f.Kind() == reflect.Slice:
		list, err := parseList(v)
		if err != nil {
			return err
		}
		f.Set(reflect.ValueOf(list))
	default:
		return fmt.Errorf("not settable from an item")
	}
	return check(name, f.Interface())
}

func setCooldown(th *detect.Thresholds, typ string, v any) error {
	d, err := parseDuration(v)
	if err != nil {
		return err
	}
	if d < 0 {
		return fmt.Errorf("must be >= 0, got %s", d)
	}
	cd := make(map[string]time.Duration, len(detect.AlertTypes))
	for k, x := range th.Cooldown {
		cd[k] = x
	}
	if typ == "" {
		for _, t := range detect.AlertTypes {
			cd[t] = d
		}
	} else {
		if !slices.Contains(detect.AlertTypes, typ) {
			return fmt.Errorf("unknown alert type %q (one of %s)", typ, strings.Join(detect.AlertTypes, ", "))
		}
		cd[typ] = d
	}
	th.Cooldown = cd
	return nil
}

func setMutedType(th *detect.Thresholds, typ string, v any) error {
	if !slices.Contains(detect.AlertTypes, typ) {
		return fmt.Errorf("unknown alert type %q (one of %s)", typ, strings.Join(detect.AlertTypes, ", "))
	}
	t, err := parseTime(v)
	if err != nil {
		return err
	}
	m := make(map[string]time.Time, len(th.MutedTypes)+1)
	for k, x := range th.MutedTypes {
		m[k] = x
	}
	m[typ] = t
	th.MutedTypes = m
	return nil
}

// parseDuration accepts a Go duration string ("15m", "48h") or seconds (a
// number, or a numeric string).
func parseDuration(v any) (time.Duration, error) {
	switch x := v.(type) {
	case string:
		s := strings.TrimSpace(x)
		if d, err := time.ParseDuration(s); err == nil {
			return d, nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return secs(f)
		}
		return 0, fmt.Errorf("must be a duration like \"15m\" or seconds, got %q", x)
	case float64:
		return secs(x)
	case int:
		return secs(float64(x))
	case int64:
		return secs(float64(x))
	}
	return 0, fmt.Errorf("must be a duration like \"15m\" or seconds, got %T", v)
}

func secs(f float64) (time.Duration, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e9 {
		return 0, fmt.Errorf("must be a finite number of seconds, got %v", f)
	}
	return time.Duration(f * float64(time.Second)), nil
}

func parseTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("must be an RFC 3339 time string, got %T", v)
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("must be an RFC 3339 time like 2026-03-02T18:00:00Z, got %q", s)
	}
	return t.UTC(), nil
}

func parseFloat(v any) (float64, error) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case int:
		f = float64(x)
	case int64:
		f = float64(x)
	case string:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(x), 64); err != nil {
			return 0, fmt.Errorf("must be a number, got %q", x)
		}
	default:
		return 0, fmt.Errorf("must be a number, got %T", v)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("must be a finite number, got %v", f)
	}
	return f, nil
}

func parseInt(v any) (int, error) {
	f, err := parseFloat(v)
	if err != nil {
		return 0, err
	}
	if f != math.Trunc(f) || math.Abs(f) > 1<<30 {
		return 0, fmt.Errorf("must be a whole number, got %v", f)
	}
	return int(f), nil
}

// parseList accepts a string list, or one comma-separated string.
func parseList(v any) ([]string, error) {
	var raw []string
	switch x := v.(type) {
	case []string:
		raw = x
	case []any:
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("must be a list of strings, got a %T element", e)
			}
			raw = append(raw, s)
		}
	case string:
		raw = strings.Split(x, ",")
	default:
		return nil, fmt.Errorf("must be a list of strings, got %T", v)
	}
	out := make([]string, 0, len(raw))
	for _, s := range raw {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

// check enforces each attribute's range.
func check(name string, v any) error {
	switch x := v.(type) {
	case int:
		lo, hi := 1, 1<<20
		switch name {
		case "duration_window":
			hi = 32
		case "brute_force_failures", "distributed_min_ips", "distributed_failures", "stuffing_failures", "stuffing_users":
			hi = 256
		case "platform_confirm":
			hi = 100
		case "authz_resources":
			lo, hi = 2, 256
		}
		if x < lo || x > hi {
			return fmt.Errorf("must be between %d and %d, got %d", lo, hi, x)
		}
	case float64:
		return checkFloat(name, x)
	case time.Duration:
		lo := time.Second
		if name == "renotify" {
			lo = 0
		}
		if x < lo {
			return fmt.Errorf("must be at least %s, got %s", lo, x)
		}
		if name == "cost_window" && (x < time.Minute || x > 24*time.Hour) {
			return fmt.Errorf("must be between 1m and 24h, got %s", x)
		}
		if name == "duration_bucket" && (x < time.Minute || x > time.Hour) {
			return fmt.Errorf("must be between 1m and 1h, got %s", x)
		}
		if name == "surge_window" && (x < time.Minute || x > 10*time.Minute) {
			return fmt.Errorf("must be between 1m and 10m, got %s", x)
		}
		if name == "slow_brute_window" && (x < 4*time.Minute || x > 24*time.Hour) {
			return fmt.Errorf("must be between 4m and 24h, got %s", x)
		}
		if name == "authz_window" && x > 24*time.Hour {
			return fmt.Errorf("must be at most 24h, got %s", x)
		}
	case string:
		return checkString(name, x)
	case []string:
		return checkList(name, x)
	}
	return nil
}

func checkFloat(name string, x float64) error {
	switch name {
	case "duration_ratio", "init_ratio", "cost_ratio", "deploy_ratio", "surge_ratio":
		if x <= 1 {
			return fmt.Errorf("must be > 1, got %v", x)
		}
	case "duration_shift_ratio":
		if x < 1 {
			return fmt.Errorf("must be >= 1, got %v", x)
		}
	case "duration_cusum_h":
		if x <= 0 {
			return fmt.Errorf("must be > 0, got %v", x)
		}
	case "memory_percent":
		if x <= 0 || x > 100 {
			return fmt.Errorf("must be in (0, 100], got %v", x)
		}
	case "slow_brute_fail_ratio":
		if x <= 0 || x > 1 {
			return fmt.Errorf("must be in (0, 1], got %v", x)
		}
	default:
		if x < 0 {
			return fmt.Errorf("must be >= 0, got %v", x)
		}
	}
	return nil
}

func checkString(name, x string) error {
	switch name {
	case "architecture":
		if x != detect.ArchX86 && x != detect.ArchARM64 {
			return fmt.Errorf("must be %q or %q, got %q", detect.ArchX86, detect.ArchARM64, x)
		}
	case "min_severity":
		if x != detect.SeverityInfo && x != detect.SeverityWarning && x != detect.SeverityCritical {
			return fmt.Errorf("must be info, warning or critical, got %q", x)
		}
	}
	return nil
}

func checkList(name string, list []string) error {
	for _, s := range list {
		switch name {
		case "allow_cidrs", "trusted_proxies":
			if _, err := netip.ParsePrefix(s); err != nil {
				if _, err := netip.ParseAddr(s); err != nil {
					return fmt.Errorf("%q is not a CIDR or address", s)
				}
			}
		case "email_to":
			if at := strings.IndexByte(s, '@'); at < 1 || at == len(s)-1 || strings.ContainsAny(s, " \r\n<>,") {
				return fmt.Errorf("%q is not an e-mail address", s)
			}
		}
	}
	return nil
}
