package cwlogs

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/stretchr/testify/require"
)

// FuzzUnescapeInPlace: a JSON array of strings unescaped in place gives
// what encoding/json gives, and every string handed out stays intact while
// later ones are written over the same buffer (they share its memory).
func FuzzUnescapeInPlace(f *testing.F) {
	for _, s := range []string{`["plain","a\tb\n\"c\"\\"]`, `["\u00e9\ud83d\udd12","x"]`, `["\ud800","\ud800\u0041"]`,
		"[\"\xff\xfe\",\"after invalid\"]", `["\/\b\f\r","\n\n\n\n"]`, `["\u12"]`, `["x`, `["ok\n","\ud83d\udd12\ud83d\udd12"]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, lit []byte) {
		var want []string
		wantErr := json.Unmarshal(lit, &want)
		buf := bytes.Clone(lit)
		s := newScanner(buf, true)
		var got []string
		err := s.array(func(int) error {
			v, err := s.str()
			got = append(got, v)
			return err
		})
		if err == nil && s.more() {
			err = s.fail("trailing data")
		}
		if wantErr != nil {
			require.Error(t, err, "encoding/json rejects %q", lit)
			return
		}
		require.NoError(t, err, "%q", lit)
		if len(want) == 0 {
			want = nil
		}
		require.Equal(t, want, got)
	})
}

// FuzzDecodeGzipOwned: a record decoded from gzip (unescaped in place in the
// inflated buffer) equals the same record decoded uncompressed (unescaped
// into an arena).
func FuzzDecodeGzipOwned(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if isGzip(data) {
			return
		}
		plain, perr := DecodeFirehoseRecord(data, Limits{MaxInflated: 1 << 20})
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		_, _ = zw.Write(data)
		require.NoError(t, zw.Close())
		owned, oerr := DecodeFirehoseRecord(gz.Bytes(), Limits{MaxInflated: 1 << 20})
		require.Equal(t, perr == nil, oerr == nil, "plain %v, gzip %v", perr, oerr)
		require.Equal(t, plain, owned)
	})
}

// TestInflatedSizeHint: the gzip trailer sizes the buffer exactly, and a
// lying trailer cannot claim more than deflate's maximum ratio.
func TestInflatedSizeHint(t *testing.T) {
	doc := bytes.Repeat([]byte(`{"messageType":"DATA_MESSAGE"}`), 1000)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(doc)
	require.NoError(t, zw.Close())
	require.Equal(t, int64(len(doc)), inflatedSizeHint(gz.Bytes()))

	lying := bytes.Clone(gz.Bytes())
	copy(lying[len(lying)-4:], []byte{0xff, 0xff, 0xff, 0x7f}) // claims 2 GiB
	require.Equal(t, int64(len(lying))*8, inflatedSizeHint(lying))
	var out bytes.Buffer
	require.ErrorIs(t, inflate(&out, lying, 1<<20), ErrGzip, "the trailer's size is checked by the reader")
	require.Less(t, out.Cap(), 2<<20)
}
