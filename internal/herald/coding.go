package herald

import (
	"context"
	"strings"
)

// Coding is an HTTP content coding a cached feed is kept in (RFC 9110,
// section 8.4.1). The empty Coding is identity: the bytes as rendered.
type Coding string

// The codings Herald stores beside each rendering.
const (
	CodingIdentity Coding = ""
	CodingGzip     Coding = "gzip"
	CodingBrotli   Coding = "br"
	CodingZstd     Coding = "zstd"
)

// Codings lists the compressed codings in the order Herald prefers them
// when a client accepts several equally: the smallest output first.
var Codings = []Coding{CodingBrotli, CodingZstd, CodingGzip}

// Variants holds a rendering compressed once per coding at render time, so
// that no request ever compresses. A nil field is a coding that was not
// produced or not fetched; the identity body is then served instead.
type Variants struct {
	Gzip, Brotli, Zstd []byte
}

// Get returns the bytes of coding c, nil when absent (and for identity,
// which lives in Entry.Body).
func (v *Variants) Get(c Coding) []byte {
	switch c {
	case CodingGzip:
		return v.Gzip
	case CodingBrotli:
		return v.Brotli
	case CodingZstd:
		return v.Zstd
	}
	return nil
}

// Set stores b as coding c; identity is ignored.
func (v *Variants) Set(c Coding, b []byte) {
	switch c {
	case CodingGzip:
		v.Gzip = b
	case CodingBrotli:
		v.Brotli = b
	case CodingZstd:
		v.Zstd = b
	}
}

// Size is the number of bytes held by every variant.
func (v *Variants) Size() int { return len(v.Gzip) + len(v.Brotli) + len(v.Zstd) }

// Coded returns the bytes of e in coding c and the coding they are really
// in: the identity body when c is identity or its variant is missing.
func (e *Entry) Coded(c Coding) ([]byte, Coding) {
	if c != CodingIdentity {
		if b := e.Variants.Get(c); b != nil {
			return b, c
		}
	}
	return e.Body, CodingIdentity
}

// ETagSuffix returns what is appended inside the quotes of a strong
// identity tag to name the variant of coding c ("-gzip", "-br", "-zstd"),
// empty for identity. Every variant of one rendering therefore has its own
// tag (a cache must not confuse gzip bytes with identity bytes), while
// Condition.NotModified ignores the suffix so that a client holding any
// variant's tag gets its 304.
func ETagSuffix(c Coding) string {
	switch c {
	case CodingGzip:
		return "-gzip"
	case CodingBrotli:
		return "-br"
	case CodingZstd:
		return "-zstd"
	}
	return ""
}

// VariantETag is the entity tag of coding c of a rendering whose identity
// tag is etag.
func VariantETag(etag string, c Coding) string {
	if c == CodingIdentity || len(etag) < 2 || !strings.HasSuffix(etag, `"`) {
		return etag
	}
	return etag[:len(etag)-1] + ETagSuffix(c) + `"`
}

// StripCodingSuffix removes a variant suffix from a quoted tag, giving the
// identity tag it was made from; other tags are returned as they are.
func StripCodingSuffix(tag string) string {
	if len(tag) < 2 || tag[len(tag)-1] != '"' {
		return tag
	}
	inner := tag[:len(tag)-1]
	for _, c := range Codings {
		if s := ETagSuffix(c); strings.HasSuffix(inner, s) && len(inner) > len(s)+1 {
			return inner[:len(inner)-len(s)] + `"`
		}
	}
	return tag
}

// isVariantOf reports whether tag is VariantETag(identity, c) for some
// compressed coding c, without allocating: it runs on every 304.
func isVariantOf(tag, identity string) bool {
	n := len(identity)
	if n < 2 || len(tag) <= n || identity[n-1] != '"' || tag[len(tag)-1] != '"' || tag[:n-1] != identity[:n-1] {
		return false
	}
	suffix := tag[n-1 : len(tag)-1]
	for _, c := range Codings {
		if suffix == ETagSuffix(c) {
			return true
		}
	}
	return false
}

// CodedGetter is implemented by caches that can fetch a single coding of an
// entry, sparing the transfer of the others (Redis). The Entry returned
// holds the validators and, unless NotModified, the bytes of coding c in
// Body or Variants, or the identity Body when that variant is missing. A
// cache may return more codings than asked for.
type CodedGetter interface {
	GetCoded(ctx context.Context, k FeedKey, cond *Condition, c Coding) (Lookup, error)
}

// Unwrapper is implemented by caches that decorate another one, so that
// optional interfaces of the inner cache stay reachable through CacheAs.
type Unwrapper interface {
	Unwrap() Cache
}

// CacheAs finds the first cache in c's chain of Unwrap calls, starting with
// c itself, that implements T.
func CacheAs[T any](c Cache) (T, bool) {
	for c != nil {
		if t, ok := c.(T); ok {
			return t, true
		}
		u, ok := c.(Unwrapper)
		if !ok {
			break
		}
		c = u.Unwrap()
	}
	var zero T
	return zero, false
}
