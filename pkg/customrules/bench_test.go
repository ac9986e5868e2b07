package customrules

import (
	"fmt"
	"testing"

	"github.com/logwarden/logwarden/internal/batchgen"
	"github.com/logwarden/logwarden/pkg/logline"
)

// BenchmarkParseWithRules measures what custom rules cost on the max-size
// batch (about 5,000 lines): none, the README's two, and MaxRules regexp
// rules, each with a literal prefilter. It is the figure behind MaxRules.
func BenchmarkParseWithRules(b *testing.B) {
	msgs := batchgen.Max().Messages
	readme, _, err := Decode(exampleYAML)
	if err != nil {
		b.Fatal(err)
	}
	many, _, err := Decode(manyRules(MaxRules))
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		rules []logline.Rule
	}{{"none", nil}, {"readme-2", readme}, {fmt.Sprintf("regexp-%d", MaxRules), many}} {
		p, err := Parser(tc.rules)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				for _, m := range msgs {
					p.Parse(m)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(msgs)), "ns/line")
		})
	}
}

// BenchmarkDecode is the cold-start cost of reading MaxRules rules.
func BenchmarkDecode(b *testing.B) {
	doc := manyRules(MaxRules)
	for b.Loop() {
		if _, _, err := Decode(doc); err != nil {
			b.Fatal(err)
		}
	}
}
