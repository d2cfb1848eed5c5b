package httpserver

import (
	"github.com/herald-feeds/herald/internal/herald"
)

// negotiableFormats are the formats /feed chooses among, in the order
// that breaks ties the header leaves, each with the media type it is
// served as and the other types a client may name it by (matched only
// when named exactly, as their wildcards match other documents too).
var negotiableFormats = []struct {
	format  herald.Format
	primary string
	aliases []string
}{
	{herald.FormatRSS, "application/rss+xml", []string{"application/xml", "text/xml"}},
	{herald.FormatAtom, "application/atom+xml", nil},
	{herald.FormatJSON, "application/feed+json", []string{"application/json"}},
}

// negotiateFormat picks the format the Accept header prefers (RFC 9110,
// 12.5.1): each format is rated by the most specific range that matches
// its media type, so "application/rss+xml;q=0, */*" refuses RSS and
// accepts the others; the highest q-value wins, then the more specific
// range, then the range named first, then RSS, Atom, JSON. When the header
// accepts none of them (no header, only other types, or every feed type
// at q=0) the answer is RSS, the format every reader understands: a feed
// is more useful than a 406, which RFC 9110 lets a server skip.
func negotiateFormat(accept string) herald.Format {
	ranges := parseAccept(accept)
	best, bestMatch := herald.FormatRSS, rangeMatch{}
	for _, nf := range negotiableFormats {
		m := match(ranges, nf.primary)
		for _, alias := range nf.aliases {
			if a := match(ranges, alias); a.rank == 3 && (m.rank < 3 || a.q > m.q) {
				m = a
			}
		}
		if m.q > bestMatch.q || m.q == bestMatch.q && m.q > 0 && (m.rank > bestMatch.rank || m.rank == bestMatch.rank && m.pos < bestMatch.pos) {
			best, bestMatch = nf.format, m
		}
	}
	return best
}
