package emf

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestWriteIsValidEMF(t *testing.T) {
	var buf bytes.Buffer
	at := time.UnixMilli(1700000000123)
	err := Write(&buf, "logwarden", at, map[string]string{"FunctionName": "proc"},
		[]Metric{{"EventsIn", "Count", 5000}, {"BatchDuration", "Milliseconds", 12.5}})
	require.NoError(t, err)
	require.Equal(t, byte('\n'), buf.Bytes()[buf.Len()-1], "one document per line")

	var doc struct {
		AWS struct {
			Timestamp         int64
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		} `json:"_aws"`
		FunctionName  string
		EventsIn      float64
		BatchDuration float64
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	require.Equal(t, int64(1700000000123), doc.AWS.Timestamp)
	require.Len(t, doc.AWS.CloudWatchMetrics, 1)
	d := doc.AWS.CloudWatchMetrics[0]
	require.Equal(t, "logwarden", d.Namespace)
	require.Equal(t, [][]string{{"FunctionName"}}, d.Dimensions)
	require.Len(t, d.Metrics, 2)
	require.Equal(t, "proc", doc.FunctionName, "dimension values must be top-level properties")
	require.Equal(t, 5000.0, doc.EventsIn)
	require.Equal(t, 12.5, doc.BatchDuration)
}
