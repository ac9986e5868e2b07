// Package emf writes CloudWatch Embedded Metric Format lines: metrics that
// CloudWatch extracts from the function's own log output, so reporting them
// costs no API call and cannot fail the invocation.
// Format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
package emf

import (
	"encoding/json"
	"io"
	"sort"
	"time"
)

// Metric is one named value with its CloudWatch unit ("Count", "Milliseconds", "Bytes").
type Metric struct {
	Name  string
	Unit  string
	Value float64
}

// Write emits one EMF document with the given dimensions (name → value) and
// metrics under namespace. Dimension values are included as properties, as
// the specification requires.
func Write(w io.Writer, namespace string, at time.Time, dims map[string]string, metrics []Metric) error {
	dimNames := make([]string, 0, len(dims))
	for k := range dims {
		dimNames = append(dimNames, k)
	}
	sort.Strings(dimNames)
	defs := make([]map[string]string, len(metrics))
	doc := make(map[string]any, len(dims)+len(metrics)+1)
	for i, m := range metrics {
		defs[i] = map[string]string{"Name": m.Name, "Unit": m.Unit}
		doc[m.Name] = m.Value
	}
	for k, v := range dims {
		doc[k] = v
	}
	doc["_aws"] = map[string]any{
		"Timestamp": at.UnixMilli(),
		"CloudWatchMetrics": []any{map[string]any{
			"Namespace":  namespace,
			"Dimensions": [][]string{dimNames},
			"Metrics":    defs,
		}},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}
