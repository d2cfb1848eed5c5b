// Package sanitize makes a publisher's article HTML safe to hand to feed
// readers: it keeps the markup of ordinary prose (paragraphs, lists,
// links, images, tables, code) and drops everything that can run code or
// restyle a reader's page (script and style elements, event-handler
// attributes, javascript: and data: URLs, iframes, forms), then rewrites
// every relative URL as an absolute one against the article's own URL,
// because a feed is read far away from the site it came from.
//
// The output is HTML5 as golang.org/x/net/html serialises it, so tags are
// balanced and attributes quoted whatever the input looked like, and
// sanitising the output again returns it unchanged.
package sanitize

import (
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// Sanitizer cleans article HTML. One value is safe for concurrent use.
type Sanitizer struct {
	policy *bluemonday.Policy
}

// New returns a Sanitizer with Herald's policy: bluemonday's policy for
// user-generated content, without the rel="nofollow" it adds to links
// (the content is the publisher's own, not a stranger's comment).
func New() *Sanitizer {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(false)
	return &Sanitizer{policy: p}
}

// HTML returns content sanitised, with relative URLs made absolute against
// base (the article's URL). An empty or blank result is returned as "".
func (s *Sanitizer) HTML(content, base string) string {
	if strings.TrimSpace(content) == "" {
		return ""
	}
	safe := s.policy.Sanitize(content)
	out, err := absolutize(safe, base)
	if err != nil {
		// x/net/html parses anything; a failure here is a bug, and the
		// sanitised text is still safe to keep.
		return strings.TrimSpace(safe)
	}
	return strings.TrimSpace(out)
}
