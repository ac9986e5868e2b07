package render

import "github.com/logwarden/logwarden/pkg/detect"

// The titles and next steps of the auth detectors v2 (kept in a block of
// their own: other alert families add theirs beside it).

// authV2Title names the v2 auth alert types.
func authV2Title(t string) (string, bool) {
	switch t {
	case detect.TypeAuthzEnumeration:
		return "Authorization enumeration", true
	}
	return "", false
}

// authV2Step is the next step of a v2 auth alert: an enumeration's
// address is probing ids it does not own (the denials held; whatever it
// was not denied is what to look at), and a slow brute force reads like
// any brute force but says it was the long window.
func authV2Step(a detect.Alert, fn string, text, code func(string) Span) ([]Span, bool) {
	switch {
	case a.Type == detect.TypeAuthzEnumeration:
		sp := []Span{text("Every request listed was denied; check what the same address and account were NOT denied " +
			"(an IDOR hole is the one that succeeded), and suspend the account if it is not yours.")}
		if a.IP != "" {
			sp = append(sp, text(" A trusted scanner: "), code("logwarden thresholds add "+fn+" allow_cidrs="+safeCIDR(a.IP)))
		}
		return sp, true
	case a.Type == detect.TypeBruteForce && a.Rule == detect.RuleSlowBrute && a.IP != "":
		return []Span{text("A slow brute force: one try every minute or two for hours, under every short window. " +
			"The source is on logwarden's blocklist ("), code("logwarden blocklist"),
			text("); check the accounts it tried for a later success. A trusted address: "),
			code("logwarden thresholds add " + fn + " allow_cidrs=" + safeCIDR(a.IP))}, true
	}
	return nil, false
}
