package simulate

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/logwarden/logwarden/pkg/cwlogs"
)

// Envelope encodes a batch as the Lambda subscription event CloudWatch Logs
// delivers: {"awslogs":{"data":"<base64 of gzip of the JSON document>"}}.
func Envelope(b cwlogs.Batch) ([]byte, error) {
	doc, err := json.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("encode batch %s/%s: %w", b.LogGroup, b.LogStream, err)
	}
	var gz bytes.Buffer
	w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if _, err := w.Write(doc); err != nil {
		return nil, fmt.Errorf("gzip batch: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("gzip batch: %w", err)
	}
	return json.Marshal(map[string]map[string]string{"awslogs": {"data": base64.StdEncoding.EncodeToString(gz.Bytes())}})
}
