package testenv

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Email is one message as aws-ses-v2-local records it (GET /store).
type Email struct {
	From        string `json:"from"`
	Subject     string `json:"subject"`
	Destination struct {
		To []string `json:"to"`
	} `json:"destination"`
	Body struct {
		HTML string `json:"html"`
		Text string `json:"text"`
	} `json:"body"`
}

// Mailbox reads what aws-ses-v2-local was asked to send. The stand-in is
// shared by every test package running at once, so tests never clear it:
// each uses recipients of its own and reads only their mail.
type Mailbox struct{ Endpoint string }

// To returns the messages addressed to recipient, oldest first.
func (m Mailbox) To(t testing.TB, recipient string) []Email {
	t.Helper()
	resp, err := http.Get(strings.TrimRight(m.Endpoint, "/") + "/store")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var st struct {
		Emails []Email `json:"emails"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&st))
	var out []Email
	for _, e := range st.Emails {
		for _, to := range e.Destination.To {
			if to == recipient {
				out = append(out, e)
				break
			}
		}
	}
	return out
}
