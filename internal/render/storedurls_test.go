package render

import (
	"strings"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// TestURLsStoredRawArePublishedAsURIs: an article an older build stored
// with raw URLs (non-ASCII, characters no URI holds) is published with
// the URIs a write stores today, in every format and every URL field.
func TestURLsStoredRawArePublishedAsURIs(t *testing.T) {
	a := &herald.Article{ID: "3c1c1e8a-4d5b-4c3a-9e2f-1a2b3c4d5e6f", Slug: "raw", Title: "Raw",
		URL: "https://exämple.com/café<x>", Image: "https://example.com/ïmage.jpg",
		PublishedAt: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		Authors:     []herald.Author{{Name: "Ñ", URL: "https://example.com/ñ"}},
		Enclosures:  []herald.Enclosure{{URL: "https://example.com/ép1.mp3", Type: "audio/mpeg"}}}
	want := []string{"https://xn--exmple-cua.com/caf%C3%A9%3Cx%3E", "https://example.com/%C3%AFmage.jpg",
		"https://example.com/%C3%B1", "https://example.com/%C3%A9p1.mp3"}
	for _, f := range herald.Formats {
		out := string(mustRender(t, f, siteChannel(f), []*herald.Article{a}))
		for _, u := range want {
			if f == herald.FormatRSS && strings.HasSuffix(u, "%C3%B1") {
				continue // RSS names authors without their URLs
			}
			if !strings.Contains(out, u) {
				t.Errorf("%s: %s is not published:\n%s", f, u, out)
			}
		}
		for _, raw := range []string{"exämple", "ïmage", "/ñ", "ép1"} {
			if strings.Contains(out, raw) {
				t.Errorf("%s: the raw %q is published", f, raw)
			}
		}
	}
}
