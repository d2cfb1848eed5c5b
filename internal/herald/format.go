package herald

// Format is a syndication format Herald renders.
type Format string

// The formats, named by the file extension of their feed URLs.
const (
	FormatRSS  Format = "rss"
	FormatAtom Format = "atom"
	FormatJSON Format = "json"
)

// Formats lists every format in a stable order.
var Formats = []Format{FormatRSS, FormatAtom, FormatJSON}

// ContentType is the media type a feed of this format is served with.
func (f Format) ContentType() string {
	switch f {
	case FormatRSS:
		return "application/rss+xml; charset=utf-8"
	case FormatAtom:
		return "application/atom+xml; charset=utf-8"
	case FormatJSON:
		return "application/feed+json; charset=utf-8"
	}
	return "application/octet-stream"
}

// ParseFormat maps a URL extension ("rss", "atom", "json") to a Format.
// It returns the package's constant, never ext itself: ext may point into
// a request buffer the HTTP server reuses, while a Format lives on in cache
// keys and renders that outlast the request.
func ParseFormat(ext string) (Format, bool) {
	for _, f := range Formats {
		if string(f) == ext {
			return f, true
		}
	}
	return "", false
}
