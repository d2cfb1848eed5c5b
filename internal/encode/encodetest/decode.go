// Package encodetest undoes content codings for tests, with each coding
// library's own decoder, so that a test can check what a client would
// read from a compressed response or variant.
package encodetest

import (
	"bytes"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	brotli "github.com/molecule-man/go-brrr"
)

// Codings are the content codings Decode undoes, by their HTTP names.
var Codings = []string{"gzip", "br", "zstd"}

// Decode returns b decoded from coding, an HTTP Content-Encoding name;
// the empty coding (identity) returns b.
func Decode(coding string, b []byte) ([]byte, error) {
	switch coding {
	case "":
		return b, nil
	case "gzip":
		r, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(r)
	case "br":
		return io.ReadAll(brotli.NewReader(bytes.NewReader(b)))
	case "zstd":
		d, err := zstd.NewReader(nil)
		if err != nil {
			return nil, err
		}
		defer d.Close()
		return d.DecodeAll(b, nil)
	}
	return nil, fmt.Errorf("encodetest: unknown coding %q", coding)
}
