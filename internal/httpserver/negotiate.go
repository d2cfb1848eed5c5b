package httpserver

import (
	"github.com/herald-feeds/herald/internal/herald"
)

// negotiateFormat picks the format the Accept header prefers (RFC 9110,
// 12.5.1): each format is rated by the most specific range that matches
// its media type, so "application/rss+xml;q=0, */*" refuses RSS and
// accepts the others; the highest q-value wins, then the more specific
// range, then the range named first, then the order of herald.Formats.
// When the header accepts none of them (no header, only other types, or
// every feed type at q=0) the answer is RSS, the format every reader
// understands: a feed is more useful than a 406, which RFC 9110 lets a
// server skip.
func negotiateFormat(accept string) herald.Format {
	var buf [maxAcceptRanges]mediaRange
	ranges := parseAccept(accept, buf[:0])
	best, bestMatch := herald.FormatRSS, rangeMatch{}
	for _, f := range herald.Formats {
		// A format is served as its first media type; the others name it
		// only when named exactly, as their wildcards match other
		// documents too.
		types := feedMediaTypes(f)
		m := match(ranges, types[0])
		for _, alias := range types[1:] {
			if a := match(ranges, alias); a.rank == 3 && (m.rank < 3 || a.q > m.q) {
				m = a
			}
		}
		if m.q > bestMatch.q || m.q == bestMatch.q && m.q > 0 && (m.rank > bestMatch.rank || m.rank == bestMatch.rank && m.pos < bestMatch.pos) {
			best, bestMatch = f, m
		}
	}
	return best
}
