package httpserver

import (
	"strconv"
	"strings"

	"github.com/herald-feeds/herald/internal/herald"
)

// mediaFormats maps the media types a client may ask for to a format.
var mediaFormats = map[string]herald.Format{
	"application/rss+xml":   herald.FormatRSS,
	"application/atom+xml":  herald.FormatAtom,
	"application/feed+json": herald.FormatJSON,
	"application/json":      herald.FormatJSON,
	"application/xml":       herald.FormatRSS,
	"text/xml":              herald.FormatRSS,
}

// negotiateFormat picks the format the Accept header prefers by q-value,
// the more specific type winning ties in header order. Anything it cannot
// satisfy (no header, */*, only unknown types) gets RSS, the format every
// reader understands: a feed is more useful than a 406.
func negotiateFormat(accept string) herald.Format {
	best, bestQ := herald.FormatRSS, 0.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, _ := strings.Cut(part, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
		f, ok := mediaFormats[mt]
		if !ok {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "q") {
				if parsed, err := strconv.ParseFloat(v, 64); err == nil {
					q = parsed
				}
			}
		}
		if q > bestQ {
			best, bestQ = f, q
		}
	}
	return best
}
