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

// prefersHTML reports whether an Accept header asks for HTML over the feed
// document of format f: text/html must have a higher quality than every
// media type the feed could be served as (wildcards included). Browsers
// ask "text/html, …, application/xml;q=0.9, */*;q=0.8" and get a page;
// feed readers name feed types or */* and get the feed; a tie goes to the
// feed, since the URL is a feed's.
func prefersHTML(accept string, f herald.Format) bool {
	if accept == "" {
		return false
	}
	ranges := parseAccept(accept)
	html := quality(ranges, "text/html")
	if html <= 0 {
		return false
	}
	for _, mt := range feedMediaTypes(f) {
		if quality(ranges, mt) >= html {
			return false
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
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "q") {
				if q, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					r.q = q
				}
			}
		}
		out = append(out, r)
	}
	return out
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
