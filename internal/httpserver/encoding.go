package httpserver

import (
	"github.com/herald-feeds/herald/internal/herald"
)

// acceptCoding picks the content coding of a response from the request's
// Accept-Encoding (RFC 9110, section 12.5.3) among the codings Herald
// stores: the one with the highest q-value, on a tie the smallest output
// (herald.Codings order), and identity unless a coding is preferred at
// least as much. "gzip;q=0" refuses gzip; "*" stands for every coding not
// listed; an unlisted identity is the last resort. When every coding is
// refused, identity is sent anyway, as RFC 9110 allows, rather than a 406. An absent or empty header means
// identity. It does not allocate: it runs on every feed request.
func acceptCoding(h []byte) herald.Coding {
	if len(h) == 0 {
		return herald.CodingIdentity
	}
	// q-values in thousandths; -1 means not listed.
	qGzip, qBr, qZstd, qIdentity, qStar := -1, -1, -1, -1, -1
	for len(h) > 0 {
		var item []byte
		item, h = cutByte(h, ',')
		name, params := cutByte(item, ';')
		name = trimSpace(name)
		q := 1000
		for len(params) > 0 {
			var p []byte
			p, params = cutByte(params, ';')
			p = trimSpace(p)
			if len(p) > 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=' {
				q = parseQ(trimSpace(p[2:]))
			}
		}
		switch {
		case equalFold(name, "gzip"), equalFold(name, "x-gzip"):
			qGzip = max(qGzip, q)
		case equalFold(name, "br"):
			qBr = max(qBr, q)
		case equalFold(name, "zstd"):
			qZstd = max(qZstd, q)
		case equalFold(name, "identity"):
			qIdentity = q
		case len(name) == 1 && name[0] == '*':
			qStar = q
		}
	}
	orStar := func(q int) int {
		if q < 0 {
			return max(qStar, 0)
		}
		return q
	}
	best, bestQ := herald.CodingIdentity, 0
	for _, c := range [...]struct {
		c herald.Coding
		q int
	}{{herald.CodingBrotli, orStar(qBr)}, {herald.CodingZstd, orStar(qZstd)}, {herald.CodingGzip, orStar(qGzip)}} {
		if c.q > bestQ {
			best, bestQ = c.c, c.q
		}
	}
	if best == herald.CodingIdentity {
		return herald.CodingIdentity
	}
	// An unlisted identity is acceptable but not preferred: a client that
	// lists codings wants them. "*" covers it; "*;q=0" alone still leaves
	// it as the last resort.
	identityQ := qIdentity
	if identityQ < 0 {
		identityQ = max(qStar, 1)
	}
	if identityQ > bestQ {
		return herald.CodingIdentity
	}
	return best
}

// parseQ reads a qvalue ("1", "0.5", "0.123") in thousandths; anything
// malformed counts as 0, which refuses the coding rather than guessing.
// Malformed is what RFC 9110's grammar (12.4.2) does not allow: a "1"
// may be followed by zeros only, so "1.5" is no more a qvalue than "2".
func parseQ(b []byte) int {
	if len(b) == 0 || (b[0] != '0' && b[0] != '1') {
		return 0
	}
	q := int(b[0]-'0') * 1000
	if len(b) == 1 {
		return q
	}
	if b[1] != '.' || len(b) > 5 {
		return 0
	}
	scale := 100
	for _, d := range b[2:] {
		if d < '0' || d > '9' || b[0] == '1' && d != '0' {
			return 0
		}
		q += int(d-'0') * scale
		scale /= 10
	}
	return q
}

func cutByte(b []byte, sep byte) (before, after []byte) {
	for i, c := range b {
		if c == sep {
			return b[:i], b[i+1:]
		}
	}
	return b, nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// equalFold compares b with the lower-case ASCII word s, ignoring case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// appendETag appends the entity tag of coding c of a rendering whose
// identity tag is etag (herald.VariantETag, without allocating).
func appendETag(dst []byte, etag string, c herald.Coding) []byte {
	if c == herald.CodingIdentity || len(etag) < 2 || etag[len(etag)-1] != '"' {
		return append(dst, etag...)
	}
	dst = append(dst, etag[:len(etag)-1]...)
	dst = append(dst, '-')
	dst = append(dst, c...)
	return append(dst, '"')
}
