package cwlogs

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// maxPooledBuffer keeps one oversized payload from pinning memory in the pool
// for the life of a warm Lambda.
const maxPooledBuffer = 32 << 20

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer {
	b := bufPool.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBuffer {
		bufPool.Put(b)
	}
}

// gunzipper pairs a reusable gzip reader with its source so neither is
// allocated per payload.
type gunzipper struct {
	src bytes.Reader
	zr  gzip.Reader
}

var gzPool = sync.Pool{New: func() any { return new(gunzipper) }}

// isGzip reports whether b starts with the gzip magic bytes. Payloads are
// classified by content, never by what the transport claims: Firehose may or
// may not have decompressed them already.
func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// inflate appends the decompressed content of every gzip member in src to dst
// (Firehose→S3 files concatenate members). It stops reading as soon as the
// output would exceed max, so a bomb costs at most max bytes of memory.
func inflate(dst *bytes.Buffer, src []byte, max int64) error {
	g := gzPool.Get().(*gunzipper)
	defer gzPool.Put(g)
	g.src.Reset(src)
	if err := g.zr.Reset(&g.src); err != nil {
		return fmt.Errorf("%w: %v", ErrGzip, err)
	}
	g.zr.Multistream(true)
	if hint := inflatedSizeHint(src); hint <= max {
		// MinRead spare, or ReadFrom grows (and copies) the buffer just
		// to find the end of the stream.
		dst.Grow(int(hint) + bytes.MinRead)
	}
	n, err := dst.ReadFrom(io.LimitReader(&g.zr, max+1))
	if n > max {
		return fmt.Errorf("%w (%d bytes)", ErrTooLarge, max)
	}
	if err != nil {
		return fmt.Errorf("%w after %d inflated bytes: %v", ErrGzip, n, err)
	}
	return nil
}

// inflatedSizeHint is how large src probably inflates. The gzip trailer's
// ISIZE is the last member's inflated size (mod 2^32): exact for
// CloudWatch's single-member payloads, so the buffer is allocated once at
// its final size. It is the sender's claim, so it is believed only within
// deflate's maximum ratio (1032:1), and the caller caps it at the limit.
func inflatedSizeHint(src []byte) int64 {
	const header, trailer, maxRatio = 10, 8, 1032
	guess := int64(len(src)) * 8
	if len(src) < header+trailer {
		return guess
	}
	n := int64(binary.LittleEndian.Uint32(src[len(src)-4:]))
	if n == 0 || n > int64(len(src))*maxRatio {
		return guess
	}
	return n
}

// decodeBase64 decodes standard base64, padded or not, ignoring embedded
// line breaks, into dst's spare capacity.
func decodeBase64(dst *bytes.Buffer, s []byte) error {
	for len(s) > 0 && s[len(s)-1] == '=' {
		s = s[:len(s)-1]
	}
	dst.Grow(base64.RawStdEncoding.DecodedLen(len(s)))
	out := dst.AvailableBuffer()[:base64.RawStdEncoding.DecodedLen(len(s))]
	n, err := base64.RawStdEncoding.Decode(out, s)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBase64, err)
	}
	dst.Write(out[:n])
	return nil
}
