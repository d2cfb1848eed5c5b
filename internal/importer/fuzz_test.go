package importer

import (
	"errors"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// FuzzParseFile: every importer turns any bytes into articles or a
// *ParseError, never a panic, and what it returns can be validated.
func FuzzParseFile(f *testing.F) {
	seeds := []struct {
		ext, data string
	}{
		{".txt", "Title\n\nFirst paragraph.\n\nSecond."},
		{".md", "---\ntitle: Front matter\ntags: [a, b]\ndate: 2026-01-02\n---\n# Heading\n\n*text* <script>x</script>"},
		{".md", "---\ntitle: [unclosed\n---\n"},
		{".json", `{"title":"J","tags":["x"],"authors":[{"name":"A"}],"published_at":"2026-01-01T00:00:00Z"}`},
		{".json", `[{"title":"one"},{"title":"two"}]`},
		{".rss", `<?xml version="1.0"?><rss version="2.0"><channel><title>C</title><item><title>I</title><link>https://e.com/i</link><description>&lt;b&gt;x&lt;/b&gt;</description></item></channel></rss>`},
		{".atom", `<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><entry><title>E</title><id>urn:x</id><updated>2026-01-01T00:00:00Z</updated></entry></feed>`},
		{".feed.json", `{"version":"https://jsonfeed.org/version/1.1","title":"F","items":[{"id":"1","title":"T","content_html":"<p>x</p>"}]}`},
		{".xml", `<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><rss><channel><item><title>&a;&a;</title></item></channel></rss>`},
		{".txt", "\xef\xbb\xbf\r\nTitle\r\n\r\nBody"},
	}
	for _, s := range seeds {
		f.Add(s.ext, []byte(s.data))
	}
	f.Fuzz(func(t *testing.T, ext string, data []byte) {
		switch ext {
		case ".txt", ".md", ".markdown", ".json", ".rss", ".atom", ".xml", ".feed.json":
		default:
			ext = ".txt"
		}
		arts, err := ParseFile("fuzz/article"+ext, data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseFile error %T %v, want a *ParseError", err, err)
			}
			return
		}
		for _, a := range arts {
			if a == nil {
				t.Fatalf("ParseFile returned a nil article")
			}
			if err := a.Prepare("https://example.com", time.Unix(0, 0), herald.Limits{}); err != nil && herald.ErrorCode(err) != herald.EInvalid {
				t.Fatalf("Prepare of an imported article: %v, want nil or EInvalid", err)
			}
		}
	})
}
