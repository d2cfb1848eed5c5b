package httpserver

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/service"
)

// feedMediaTypes are the media types that name format f's document, most
// specific first.
func feedMediaTypes(f herald.Format) []string {
	switch f {
	case herald.FormatRSS:
		return []string{"application/rss+xml", "application/xml", "text/xml"}
	case herald.FormatAtom:
		return []string{"application/atom+xml", "application/xml", "text/xml"}
	}
	return []string{"application/feed+json", "application/json"}
}

// prefersHTML reports whether an Accept header asks for HTML over a feed
// document: text/html must have a higher quality than every media type a
// feed of any format is served as (wildcards included). Browsers ask
// "text/html, …, application/xml;q=0.9, */*;q=0.8" and get a page; feed
// readers name feed types or */* and get the feed, the one the URL names
// even when they rate another format's type higher (SimplePie, used by
// FreshRSS and WordPress, asks for Atom and RSS first, then text/html at
// 0.7, then */*: it gets a JSON Feed URL's JSON, not a page); a tie goes
// to the feed, since the URL is a feed's.
func prefersHTML(accept string) bool {
	if accept == "" {
		return false
	}
	var buf [maxAcceptRanges]mediaRange
	ranges := parseAccept(accept, buf[:0])
	html := quality(ranges, "text/html")
	if html <= 0 {
		return false
	}
	for _, g := range herald.Formats {
		for _, mt := range feedMediaTypes(g) {
			if quality(ranges, mt) >= html {
				return false
			}
		}
	}
	return true
}

// mediaRange is one element of an Accept header.
type mediaRange struct {
	typ, sub string
	q        float64
}

// parseAccept reads an Accept header's ranges into out (whose array a
// caller keeps on its stack: a feed poll's Accept is parsed without
// allocating). Names keep the header's case; match compares them without
// regard to it.
func parseAccept(accept string, out []mediaRange) []mediaRange {
	out = out[:0]
	for rest := accept; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		mt, params, _ := strings.Cut(part, ";")
		typ, sub, ok := strings.Cut(strings.TrimSpace(mt), "/")
		if !ok {
			continue
		}
		r := mediaRange{typ: strings.TrimSpace(typ), sub: strings.TrimSpace(sub), q: 1}
		valid := true
		for params != "" {
			var p string
			p, params, _ = strings.Cut(params, ";")
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				r.q, valid = qvalue(strings.TrimSpace(v))
			}
		}
		// A range whose weight is not one (q=2, q=NaN) is malformed, and
		// dropped rather than allowed to outrank the others.
		if valid {
			out = append(out, r)
		}
	}
	return out
}

// maxAcceptRanges is how many ranges the stack arrays parseAccept fills
// hold; a longer header still parses, into a slice of its own.
const maxAcceptRanges = 16

// qvalue reads a weight as RFC 9110 (12.4.2) writes it: 0 to 1, with at
// most three decimals.
func qvalue(v string) (float64, bool) {
	ok := len(v) >= 1 && len(v) <= 5 && (v[0] == '0' || v[0] == '1')
	if ok && len(v) > 1 {
		ok = v[1] == '.'
		for i := 2; ok && i < len(v); i++ {
			ok = '0' <= v[i] && v[i] <= '9' && (v[0] == '0' || v[i] == '0')
		}
	}
	if !ok {
		return 0, false
	}
	q, err := strconv.ParseFloat(v, 64)
	return q, err == nil
}

// quality is the q-value ranges give media type mt: that of the most
// specific matching range (type/sub, then type/*, then */*), 0 if none.
func quality(ranges []mediaRange, mt string) float64 {
	return match(ranges, mt).q
}

// rangeMatch is how an Accept header rates a media type: the q-value of
// the most specific range that matches it, that range's rank (3 type/sub,
// 2 type/*, 1 */*, 0 none) and its position in the header.
type rangeMatch struct {
	q         float64
	rank, pos int
}

// match rates mt by the most specific range of ranges that matches it
// (the first such range, when several do).
func match(ranges []mediaRange, mt string) rangeMatch {
	typ, sub, _ := strings.Cut(mt, "/")
	best := rangeMatch{pos: len(ranges)}
	for i, r := range ranges {
		rank := 0
		switch {
		case strings.EqualFold(r.typ, typ) && strings.EqualFold(r.sub, sub):
			rank = 3
		case strings.EqualFold(r.typ, typ) && r.sub == "*":
			rank = 2
		case r.typ == "*" && r.sub == "*":
			rank = 1
		}
		if rank > best.rank {
			best = rangeMatch{q: r.q, rank: rank, pos: i}
		}
	}
	return best
}

// pageParam reads ?page=, a whole number of 1 or more when present.
func pageParam(c *fiber.Ctx) (int, error) {
	args := c.Context().QueryArgs()
	return service.PageParam(string(args.Peek("page")), args.Has("page"))
}
