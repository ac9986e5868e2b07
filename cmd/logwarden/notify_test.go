package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNotifyTestReportsPerChannel(t *testing.T) {
	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &got)
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	t.Setenv("LOGWARDEN_SLACK_WEBHOOK_URL", srv.URL+"/services/T/B/secret")
	t.Setenv("AWS_REGION", "eu-west-1")
	var out, errOut bytes.Buffer
	code := run([]string{"notify", "test"}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	require.Contains(t, out.String(), "slack  ok")
	require.Contains(t, got["text"], "Duration anomaly")

	t.Setenv("LOGWARDEN_SLACK_WEBHOOK_URL", "")
	out.Reset()
	errOut.Reset()
	require.Equal(t, 1, run([]string{"notify", "test"}, &out, &errOut))
	require.Contains(t, errOut.String(), "LOGWARDEN_SLACK_WEBHOOK_URL=")
}
