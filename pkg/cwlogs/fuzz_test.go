package cwlogs

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func addSeeds(f *testing.F) {
	for _, s := range []string{reportDocument, controlDocument, timeoutDocument, authDocument, unicodeDocument, sshdLines,
		`{"awslogs":{"data":"` + awslogsSample + `"}}`, awslogsSample, reportDocument + authDocument,
		filterLogEventsOutput, getLogEventsOutput, queryEventsOutput, s3ExportLines, jsonAppLines} {
		f.Add([]byte(s))
	}
	inputs, _ := filepath.Glob(filepath.Join(envelopesDir, "*", "input.*"))
	for _, in := range inputs {
		if b, err := os.ReadFile(in); err == nil {
			f.Add(b)
		}
	}
	if kin, err := base64.StdEncoding.DecodeString(kinesisSample); err == nil {
		f.Add(kin)
	}
}

// FuzzDecode: any input, any shape, never panics, and every JSON-decoded
// message is valid UTF-8.
func FuzzDecode(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, input []byte) {
		Decode("fuzz", input, Limits{MaxInflated: 1 << 20}, func(b Batch) {
			if strings.HasPrefix(b.Source, "fuzz: lines") {
				return // plain text keeps lines as they are
			}
			for _, ev := range b.LogEvents {
				if !utf8.ValidString(ev.Message) || !utf8.ValidString(ev.ID) {
					t.Fatalf("invalid UTF-8 from %s: %q", b.Source, ev.Message)
				}
				if !ValidTimestamp(ev.Timestamp) {
					t.Fatalf("timestamp %d out of range from %s", ev.Timestamp, b.Source)
				}
			}
			if b.MessageType != DataMessage && b.MessageType != ControlMessage {
				t.Fatalf("messageType %q from %s", b.MessageType, b.Source)
			}
		})
	})
}

// FuzzDecodeRecord: a record that decodes re-encodes to JSON that decodes
// to the same batches (what we return is what the document said).
func FuzzDecodeRecord(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		batches, err := DecodeFirehoseRecord(data, Limits{MaxInflated: 1 << 20})
		if err != nil {
			return
		}
		for _, b := range batches {
			enc, err := json.Marshal(b)
			require.NoError(t, err)
			again, err := DecodeFirehoseRecord(enc, Limits{})
			require.NoError(t, err, "%s", enc)
			require.Len(t, again, 1)
			b.Bytes, again[0].Bytes = 0, 0
			b.Source, again[0].Source = "", ""
			b.Rejected = nil // the re-encoding holds only the kept events
			if b.SubscriptionFilters == nil {
				b.SubscriptionFilters = again[0].SubscriptionFilters
			}
			if len(b.LogEvents) == 0 { // nil or, all events rejected, empty
				b.LogEvents = again[0].LogEvents
			}
			require.Equal(t, b, again[0])
		}
	})
}

// FuzzUnescape: the string unescaper agrees with encoding/json exactly,
// including \u escapes, surrogate pairs, lone surrogates and invalid UTF-8.
func FuzzUnescape(f *testing.F) {
	for _, s := range []string{`"plain"`, `"a\tb\n\"c\"\\"`, `"\u00e9\ud83d\udd12"`, `"\ud800"`, `"\ud800\u0041"`,
		`"\udc00\ud800\udc00"`, "\"\xff\xfe\"", `"\/\b\f\r"`, `"\u12"`, `"x`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, lit []byte) {
		var want string
		wantErr := json.Unmarshal(lit, &want)
		s := scanner{b: lit}
		s.ws()
		got, err := s.str()
		if err == nil && s.more() {
			err = s.fail("trailing data")
		}
		if wantErr != nil {
			require.Error(t, err, "encoding/json rejects %q", lit)
			return
		}
		require.NoError(t, err, "%q", lit)
		require.Equal(t, want, got)
	})
}
