package cwlogs

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/internal/batchgen"
)

type decoded struct {
	batches []Batch
	errs    []string
}

// decodeWith decodes input ahead (on a goroutine, whatever GOMAXPROCS) or
// in line.
func decodeWith(t *testing.T, ahead bool, input []byte) decoded {
	t.Helper()
	saved := aheadMin
	aheadMin = len(input) + 1 // Decode's own choice: in line
	defer func() { aheadMin = saved }()
	var out decoded
	emit := func(b Batch) { out.batches = append(out.batches, b) }
	var errs []error
	if ahead {
		errs = decodeAhead(decoder{name: "in", emit: emit}, input)
	} else {
		errs = Decode("in", input, Limits{}, emit)
	}
	for _, err := range errs {
		out.errs = append(out.errs, err.Error())
	}
	return out
}

// TestDecodeAheadMatchesSync: decoding one batch ahead on another goroutine
// gives the same batches, in the same order, and the same errors as
// decoding in line, on every golden envelope, a capture with a corrupt
// event between good ones, and plain text.
func TestDecodeAheadMatchesSync(t *testing.T) {
	inputs := map[string][]byte{}
	files, err := filepath.Glob(filepath.Join(envelopesDir, "*", "input.*"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		inputs[f] = b
	}
	var capture bytes.Buffer
	_, err = batchgen.Capture(&capture, 2, 7)
	require.NoError(t, err)
	capture.WriteString(`{"awslogs":{"data":"H4sI!!not base64"}}` + "\n")
	_, err = batchgen.Capture(&capture, 2, 9)
	require.NoError(t, err)
	inputs["capture with a corrupt event"] = capture.Bytes()
	inputs["plain text"] = bytes.Repeat([]byte("2024-06-17 login failed for bob from 203.0.113.9\n"), 25000)

	for name, in := range inputs {
		inline, ahead := decodeWith(t, false, in), decodeWith(t, true, in)
		require.Equal(t, inline, ahead, name)
	}
	got := decodeWith(t, true, inputs["capture with a corrupt event"])
	require.Len(t, got.batches, 4)
	require.Len(t, got.errs, 1)
}

// TestDecodeAheadStopsWhenEmitPanics: a panicking emit reaches the caller
// and the decoder goroutine is not left blocked on the hand-over.
func TestDecodeAheadStopsWhenEmitPanics(t *testing.T) {
	var capture bytes.Buffer
	_, err := batchgen.Capture(&capture, 3, 1)
	require.NoError(t, err)
	before := runtime.NumGoroutine()
	require.PanicsWithValue(t, "boom", func() {
		decodeAhead(decoder{name: "in", emit: func(Batch) { panic("boom") }}, capture.Bytes())
	})
	// A liveness check, not a timing: the decoder must finish at all. The
	// test goroutine polls itself (require.Eventually would add one).
	for end := time.Now().Add(30 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before, "the decoder goroutine is still running:\n%s", stacks())
}

func stacks() []byte {
	buf := make([]byte, 1<<16)
	return buf[:runtime.Stack(buf, true)]
}
