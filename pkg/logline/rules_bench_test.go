package logline

import (
	"fmt"
	"testing"

	"github.com/logwarden/logwarden/internal/batchgen"
)

// BenchmarkParseRulesUnindexed is what the rules the index cannot narrow
// cost: 10 with a 4-byte literal (searched on every line) or 10 without any
// literal (their regexp runs on every line the auth prefilter passes).
func BenchmarkParseRulesUnindexed(b *testing.B) {
	msgs := batchgen.Mix(batchgen.Options{Seed: 1}).Messages
	for _, kind := range []string{"short", "noliteral"} {
		rules := make([]Rule, 10)
		for i := range rules {
			rules[i] = Rule{Name: fmt.Sprintf("r%d", i), Kind: "auth_failure", Regex: fmt.Sprintf(`Q%02d (?P<ip>\S+)`, i)}
			if kind == "noliteral" {
				rules[i].Regex = fmt.Sprintf(`^(?P<user>\w+) (?P<ip>[0-9.]+) (x|y){%d}$`, i+1)
			}
		}
		p, err := New(rules...)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(kind+"=10", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, m := range msgs {
					p.Parse(m)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(msgs)), "ns/event")
		})
	}
}

// BenchmarkParseRules is the cost per event against the number of user
// rules, on the production mix (10 % REPORT, 10 % auth failures, the rest
// application lines), which the rules never match. mode=index is the
// parser; mode=linear makes every rule a candidate, which is how the parser
// worked before the rule index: one literal search per rule per line.
func BenchmarkParseRules(b *testing.B) {
	msgs := batchgen.Mix(batchgen.Options{Seed: 1}).Messages
	for _, n := range []int{0, 10, 50, 200} {
		for _, mode := range []string{"index", "linear"} {
			p, err := New(templateRules(n)...)
			if err != nil {
				b.Fatal(err)
			}
			p.allRules = mode == "linear"
			b.Run(fmt.Sprintf("rules=%d/mode=%s", n, mode), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					for _, m := range msgs {
						p.Parse(m)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(msgs)), "ns/event")
			})
		}
	}
}
