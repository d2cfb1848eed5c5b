package render

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

// FuzzRenderAcceptedArticle: any article that validation accepts renders,
// in every format, to a document that parses: well-formed XML for RSS and
// Atom, valid JSON with one item for JSON Feed; spliced from its item's
// fresh or kept encoding, it is the whole document's bytes.
func FuzzRenderAcceptedArticle(f *testing.F) {
	f.Add("Hello", "slug", "A summary", "<p>Body</p>", "Ada", "Go", "rss", "https://example.com/x", "audio/mpeg")
	f.Add("]]>\x00<![CDATA[", "", "\v\x1b&amp;<", "<script>alert(1)</script>]]>", "N\uFFFE", "Cat\"'<>", "t&g", "https://e.com/?a=1&b=<2>", "video/mp4")
	f.Add("Ünïcødé 🎉", "ünïcødé", "\u2028\u2029", "<![CDATA[x]]]]><![CDATA[>", "李", "\ud7ff", "\U0010FFFF", "https://例え.jp/パス", "a/b")
	f.Fuzz(func(t *testing.T, title, slug, summary, content, author, category, tag, link, mediaType string) {
		a := &herald.Article{
			ID: "00000000-0000-4000-8000-000000000000", Title: title, Slug: slug, Summary: summary, ContentHTML: content,
			Authors: []herald.Author{{Name: author}}, Categories: []string{category}, Tags: []string{tag},
			Enclosures: []herald.Enclosure{{URL: link, Type: mediaType, Length: 1}}, Image: link, URL: link,
		}
		if err := a.Prepare("https://news.example.com", day, herald.Limits{}); err != nil {
			if herald.ErrorCode(err) != herald.EInvalid || herald.ErrorField(err) == "" {
				t.Fatalf("Prepare rejected with %v (field %q), want EInvalid naming a field", err, herald.ErrorField(err))
			}
			return
		}
		a.UpdatedAt = day.Add(time.Hour)
		r := New()
		for _, format := range herald.Formats {
			out, err := r.Render(format, siteChannel(format), []*herald.Article{a})
			if err != nil {
				t.Fatalf("render %s of an accepted article: %v", format, err)
			}
			// Spliced from a fresh encoding, then from the kept one: both
			// are the whole document's bytes.
			want := renderWhole(t, format, siteChannel(format), []*herald.Article{a})
			again, err := r.Render(format, siteChannel(format), []*herald.Article{a})
			if err != nil || !bytes.Equal(out, want) || !bytes.Equal(again, want) {
				t.Fatalf("%s: spliced renders differ from the whole document (err %v):\n%s\n%s\n---- want ----\n%s", format, err, out, again, want)
			}
			if format == herald.FormatJSON {
				var doc struct {
					Items []json.RawMessage `json:"items"`
				}
				if err := json.Unmarshal(out, &doc); err != nil || len(doc.Items) != 1 {
					t.Fatalf("JSON Feed does not parse (%v) or has %d items:\n%s", err, len(doc.Items), out)
				}
				continue
			}
			if err := decodesStrictly(out); err != nil {
				t.Fatalf("%s is not well-formed XML: %v\n%s", format, err, out)
			}
		}
	})
}

// decodesStrictly reads every token of an XML document strictly.
func decodesStrictly(doc []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	dec.Strict = true
	for {
		if _, err := dec.Token(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}
