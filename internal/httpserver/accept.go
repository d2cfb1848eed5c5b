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
	ranges := parseAccept(accept)
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

func parseAccept(accept string) []mediaRange {
	var out []mediaRange
	for _, part := range strings.Split(accept, ",") {
		mt, params, _ := strings.Cut(part, ";")
		typ, sub, ok := strings.Cut(strings.ToLower(strings.TrimSpace(mt)), "/")
		if !ok {
			continue
		}
		r := mediaRange{typ: typ, sub: sub, q: 1}
		valid := true
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "q") {
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
		case r.typ == typ && r.sub == sub:
			rank = 3
		case r.typ == typ && r.sub == "*":
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
