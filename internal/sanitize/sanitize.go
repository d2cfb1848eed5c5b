// Package sanitize makes a publisher's article HTML safe to hand to feed
// readers: it keeps the markup of ordinary prose (paragraphs, lists,
// links, images, tables, code) and embedded media (audio, video, their
// sources and text tracks, responsive images), and drops everything that
// can run code or restyle a reader's page (script and style elements,
// event-handler attributes, javascript: and data: URLs, iframes, forms,
// autoplay), then rewrites every relative URL as an absolute one against
// the article's own URL, because a feed is read far away from the site it
// came from.
//
// The output is HTML5 as golang.org/x/net/html serialises it, so tags are
// balanced and attributes quoted whatever the input looked like, and
// sanitising the output again returns it unchanged.
package sanitize

import (
	"errors"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// Sanitizer cleans article HTML. One value is safe for concurrent use.
type Sanitizer struct {
	policy *bluemonday.Policy
}

// The media attributes' patterns. bluemonday checks src against its URL
// policy only on the elements it knows link (not on <source>) and never
// checks poster or srcset, so these patterns refuse any scheme but http
// and https first; absolutize checks the parsed URLs again (resolveMedia).
// bluemonday matches the value after decoding character references.
var (
	// mediaURL is one URL: optional ASCII whitespace, then "http:" or
	// "https:" in any case, or a relative reference (no ":" before the
	// first "/", "?" or "#", and no control character or space there).
	mediaURL = regexp.MustCompile(`^\s*(?:(?i:https?):|[^\x00-\x20\x7f:/?#]*(?:[/?#]|\s*$))`)
	// srcsetURLs holds when every run of characters between ASCII
	// whitespace and commas (each candidate's URL starts one) is such a
	// URL or a descriptor: a comma inside a URL only makes the check
	// stricter. absolutize parses the candidates properly.
	srcsetURLs = regexp.MustCompile(`^[\s,]*(?:` + srcsetPiece + `(?:[\s,]+` + srcsetPiece + `)*)?[\s,]*$`)

	preload   = regexp.MustCompile(`^(?i:|none|metadata|auto)$`)
	dimension = regexp.MustCompile(`^[0-9]{1,5}$`)
	// mimeType is a type with optional parameters, such as
	// video/mp4; codecs="avc1.42E01E, mp4a.40.2".
	mimeType = regexp.MustCompile(`^` + mimeToken + `/` + mimeToken +
		`(?:\s*;\s*` + mimeToken + `=(?:` + mimeToken + `|"[^"\x00-\x1f\x7f]*"))*\s*$`)
	// mediaCondition covers media queries and sizes lists:
	// (min-width: 40em), (width >= 600px) 50vw, calc(100vw - 2rem). A
	// colon only follows a feature name just inside a parenthesis, and
	// the only functions are calc, min, max and clamp, so nothing like
	// url(javascript:x) gets through.
	mediaCondition = regexp.MustCompile(`^(?:[\s.,/%+*<>=)0-9]|[a-zA-Z-]+(?:[\s.,/%+*<>=)0-9]|$)|(?:calc|min|max|clamp)?\(\s*(?:[a-zA-Z-]+\s*:)?)+$`)
	trackKind      = regexp.MustCompile(`^(?i:subtitles|captions|descriptions|chapters|metadata)$`)
	langTag        = regexp.MustCompile(`^[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*$`)
)

// boolAttr matches a boolean attribute's values: empty, or its name.
func boolAttr(name string) *regexp.Regexp {
	return regexp.MustCompile(`^(?i:|` + name + `)$`)
}

const (
	srcsetPiece = `(?:(?i:https?):[^\s,]*|[^\s,:/?#]*(?:[/?#][^\s,]*)?)`
	mimeToken   = "[a-zA-Z0-9!#$&^_.+-]+"
)

// New returns a Sanitizer with Herald's policy: bluemonday's policy for
// user-generated content, without the rel="nofollow" it adds to links
// (the content is the publisher's own, not a stranger's comment), plus
// <audio>, <video>, <source>, <track> and <picture> with the attributes
// that describe media and none that run code or play it unasked (no
// autoplay, no crossorigin, no event handlers), and srcset and sizes on
// <img>.
func New() *Sanitizer {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(false)

	p.AllowNoAttrs().OnElements("audio", "video", "picture")
	p.AllowAttrs("src").Matching(mediaURL).OnElements("audio", "video", "source", "track")
	p.AllowAttrs("poster").Matching(mediaURL).OnElements("video")
	for _, b := range []string{"controls", "loop", "muted", "playsinline"} {
		p.AllowAttrs(b).Matching(boolAttr(b)).OnElements("audio", "video")
	}
	p.AllowAttrs("preload").Matching(preload).OnElements("audio", "video")
	p.AllowAttrs("width", "height").Matching(dimension).OnElements("video")
	p.AllowAttrs("type").Matching(mimeType).OnElements("source")
	p.AllowAttrs("media").Matching(mediaCondition).OnElements("source")
	p.AllowAttrs("srcset").Matching(srcsetURLs).OnElements("img", "source")
	p.AllowAttrs("sizes").Matching(mediaCondition).OnElements("img", "source")
	p.AllowAttrs("kind").Matching(trackKind).OnElements("track")
	p.AllowAttrs("srclang").Matching(langTag).OnElements("track")
	p.AllowAttrs("label").Matching(bluemonday.Paragraph).OnElements("track")
	p.AllowAttrs("default").Matching(boolAttr("default")).OnElements("track")
	return &Sanitizer{policy: p}
}

// HTML returns content sanitised, with relative URLs made absolute against
// base (the article's URL). An empty or blank result is returned as "".
func (s *Sanitizer) HTML(content, base string) string {
	out, _ := s.HTMLWithin(content, base, -1)
	return out
}

// HTMLWithin is HTML for a result of at most limit bytes (any length when
// limit is negative): a longer one is ErrTooLarge, found without making all
// of it. Sanitising can make content longer than it came, by far when
// many short relative URLs are made absolute against a long base.
func (s *Sanitizer) HTMLWithin(content, base string, limit int) (string, error) {
	if strings.TrimSpace(content) == "" {
		return "", nil
	}
	safe := s.policy.Sanitize(encodeURLSpaces(content))
	out, err := absolutize(safe, base, limit)
	switch {
	case errors.Is(err, ErrTooLarge):
		return "", err
	case err != nil:
		// x/net/html parses anything; a failure here is a bug, and the
		// sanitised text is still safe to keep.
		out = safe
	}
	out = strings.TrimSpace(out)
	if limit >= 0 && len(out) > limit {
		return "", ErrTooLarge
	}
	return out, nil
}
