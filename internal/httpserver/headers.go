package httpserver

import (
	"net/http"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/herald-feeds/herald/internal/herald"
)

// Header names in fasthttp's canonical form, and the values that never
// change, as bytes made once. Every feed response sets about a dozen
// headers; handing fasthttp canonical bytes (SetCanonical) spares it a copy
// and a normalisation of each name per request, which profiles of the
// cached-304 path showed as its largest single cost (docs/PERFORMANCE.md).
var (
	hdrETag         = []byte("Etag")
	hdrLastModified = []byte("Last-Modified")
	hdrCacheControl = []byte("Cache-Control")
	hdrVary         = []byte("Vary")
	hdrContentEnc   = []byte("Content-Encoding")
	hdrRequestID    = []byte("X-Request-Id")
	hdrACAO         = []byte("Access-Control-Allow-Origin")
	hdrACEH         = []byte("Access-Control-Expose-Headers")
	hdrXCTO         = []byte("X-Content-Type-Options")
	hdrXFO          = []byte("X-Frame-Options")
	hdrReferrer     = []byte("Referrer-Policy")
	hdrCSP          = []byte("Content-Security-Policy")
	hdrLink         = []byte("Link")

	valVary     = []byte("Accept, Accept-Encoding")
	valAny      = []byte("*")
	valExposed  = []byte("ETag, Last-Modified, Link, Retry-After, X-Request-ID")
	valNosniff  = []byte("nosniff")
	valDeny     = []byte("DENY")
	valNoRef    = []byte("no-referrer")
	valCSPHTML  = []byte(cspHTML)
	valCSPOther = []byte(cspOther)
)

var (
	valGzip   = []byte(herald.CodingGzip)
	valBrotli = []byte(herald.CodingBrotli)
	valZstd   = []byte(herald.CodingZstd)
)

// codingValue is the Content-Encoding value of c.
func codingValue(c herald.Coding) []byte {
	switch c {
	case herald.CodingGzip:
		return valGzip
	case herald.CodingBrotli:
		return valBrotli
	case herald.CodingZstd:
		return valZstd
	}
	return []byte(c)
}

// setHeader sets a header whose name is already canonical.
func setHeader(h *fasthttp.ResponseHeader, key, value []byte) { h.SetCanonical(key, value) }

// httpDates remembers the last few Last-Modified values formatted, since a
// hot feed sends the same one on every poll. Slots are picked by the second
// and replaced whole, through an atomic pointer, so readers never lock.
type httpDates struct {
	slots [16]atomic.Pointer[formattedDate]
}

type formattedDate struct {
	sec  int64
	text []byte
}

// appendHTTPDate appends t in the IMF-fixdate form of RFC 9110.
func (d *httpDates) appendHTTPDate(dst []byte, t time.Time) []byte {
	sec := t.Unix()
	slot := &d.slots[uint64(sec)%uint64(len(d.slots))]
	if f := slot.Load(); f != nil && f.sec == sec {
		return append(dst, f.text...)
	}
	f := &formattedDate{sec: sec, text: t.UTC().AppendFormat(nil, http.TimeFormat)}
	slot.Store(f)
	return append(dst, f.text...)
}
