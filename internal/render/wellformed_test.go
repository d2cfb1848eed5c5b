package render

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/herald-feeds/herald/internal/herald"
)

// hostileArticle puts characters XML cannot carry, and a CDATA terminator,
// in every string field.
func hostileArticle() *herald.Article {
	bad := "\v\x00\x1b]]>\uFFFE"
	return &herald.Article{
		ID:          "99999999-8888-4777-8666-555555555555",
		Title:       "Title" + bad,
		URL:         "https://news.example.com/hostile",
		Summary:     "Summary" + bad,
		ContentHTML: "<p>Content" + bad + "</p>]]>",
		Authors:     []herald.Author{{Name: "Name" + bad, Email: "x@example.com"}},
		Categories:  []string{"Cat" + bad},
		Tags:        []string{"Tag" + bad},
		Language:    "en",
		Enclosures:  []herald.Enclosure{{URL: "https://cdn.example.com/a.mp3", Type: "audio/mpeg", Length: 1, Duration: 2}},
		PublishedAt: day,
	}
}

func TestWellFormedXML(t *testing.T) {
	for _, f := range []herald.Format{herald.FormatRSS, herald.FormatAtom} {
		for name, channel := range map[string]func(herald.Format) herald.Channel{"site": siteChannel, "show": showChannel, "paged": pagedChannel} {
			t.Run(string(f)+"/"+name, func(t *testing.T) {
				ch := channel(f)
				ch.Title += "\x00\v"
				if ch.Podcast != nil {
					ch.Podcast.Author += "\x0b"
					ch.Podcast.FundingText += "\x1b]]>"
				}
				wellFormed(t, mustRender(t, f, ch, []*herald.Article{hostileArticle()}))
			})
		}
	}
}

// wellFormed decodes out with encoding/xml and checks that the content of
// the hostile article survived without its illegal characters.
func wellFormed(t *testing.T, out []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(out))
	var content strings.Builder
	inContent := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("encoding/xml rejects the output: %v\n%s", err, out)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			inContent = tok.Name.Local == "encoded" || tok.Name.Local == "content"
		case xml.EndElement:
			inContent = false
		case xml.CharData:
			if inContent {
				content.Write(tok)
			}
		}
	}
	// The "]]>" sequences survive, split across CDATA sections or escaped,
	// and the illegal characters are gone.
	if got, want := content.String(), "<p>Content]]></p>]]>"; got != want {
		t.Fatalf("content=%q, want %q", got, want)
	}
}

// TestNoEmptyElements walks every element of the XML formats, for a
// channel and articles with as little as possible, and fails on an element
// that has neither text, attributes nor children.
func TestNoEmptyElements(t *testing.T) {
	bare := herald.Channel{Title: "T", FeedURL: "https://x.example.com/feed"}
	articles := []*herald.Article{{ID: "0c0c0c0c-0000-4000-8000-000000000000"}, hostileArticle()}
	for _, f := range []herald.Format{herald.FormatRSS, herald.FormatAtom} {
		for name, ch := range map[string]herald.Channel{"bare": bare, "show": showChannel(f), "paged": pagedChannel(f)} {
			t.Run(string(f)+"/"+name, func(t *testing.T) {
				out := mustRender(t, f, ch, append(articles, showArticles()...))
				type elem struct {
					name     string
					nonEmpty bool
				}
				var stack []elem
				dec := xml.NewDecoder(bytes.NewReader(out))
				for {
					tok, err := dec.Token()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						t.Fatalf("decode: %v", err)
					}
					switch tok := tok.(type) {
					case xml.StartElement:
						if len(stack) > 0 {
							stack[len(stack)-1].nonEmpty = true
						}
						stack = append(stack, elem{tok.Name.Local, len(tok.Attr) > 0})
					case xml.CharData:
						if len(stack) > 0 && len(bytes.TrimSpace(tok)) > 0 {
							stack[len(stack)-1].nonEmpty = true
						}
					case xml.EndElement:
						e := stack[len(stack)-1]
						stack = stack[:len(stack)-1]
						// fh:archive is a flag: empty by definition.
						if !e.nonEmpty && !(tok.Name.Space == nsHistory && e.name == "archive") {
							t.Errorf("empty <%s> in\n%s", e.name, out)
						}
					}
				}
			})
		}
	}
}
func TestRSSFallbacks(t *testing.T) {
	ch := herald.Channel{Title: "Only a title", FeedURL: "https://x.example.com/feed.rss", Author: herald.Author{Name: "No Email"}}
	var doc struct {
		Channel struct {
			Links          []string `xml:"link"` // <link>, then the empty atom:link
			Description    string   `xml:"description"`
			ManagingEditor *string  `xml:"managingEditor"`
			TTL            *string  `xml:"ttl"`
			LastBuildDate  string   `xml:"lastBuildDate"`
			Item           struct {
				Title       string  `xml:"title"`
				Description string  `xml:"description"`
				Author      *string `xml:"author"`
				Creator     string  `xml:"http://purl.org/dc/elements/1.1/ creator"`
			} `xml:"item"`
		} `xml:"channel"`
	}
	a := &herald.Article{ID: "0c0c0c0c-0000-4000-8000-000000000000", Authors: []herald.Author{{Name: "Nameless Email"}}, PublishedAt: day}
	out := mustRender(t, herald.FormatRSS, ch, []*herald.Article{a})
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	c := doc.Channel
	for _, tc := range []struct{ what, got, want string }{
		{"channel link", c.Links[0], ch.FeedURL},
		{"channel description", c.Description, ch.Title},
		{"lastBuildDate", c.LastBuildDate, "Sat, 14 Mar 2026 09:26:53 +0000"}, // newest article when Updated is zero
		{"item title", c.Item.Title, "urn:uuid:" + a.ID},
		{"item description", c.Item.Description, "urn:uuid:" + a.ID},
		{"dc:creator", c.Item.Creator, "Nameless Email"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s=%q, want %q", tc.what, tc.got, tc.want)
		}
	}
	if c.ManagingEditor != nil || c.Item.Author != nil || c.TTL != nil {
		t.Errorf("managingEditor=%v author=%v ttl=%v, want none (no email, no TTL)", c.ManagingEditor, c.Item.Author, c.TTL)
	}
}

// TestUndatedChannel: a feed with no date at all (no article, never
// written) has no lastBuildDate in RSS, where it is optional, and the
// epoch in Atom, where <updated> is required.
func TestUndatedChannel(t *testing.T) {
	ch := herald.Channel{Title: "Nothing yet", FeedURL: "https://x.example.com/feed"}
	var rss struct {
		LastBuildDate *string `xml:"channel>lastBuildDate"`
	}
	if err := xml.Unmarshal(mustRender(t, herald.FormatRSS, ch, nil), &rss); err != nil {
		t.Fatal(err)
	}
	if rss.LastBuildDate != nil {
		t.Errorf("RSS lastBuildDate=%q, want none", *rss.LastBuildDate)
	}
	var atom struct {
		Updated string `xml:"updated"`
	}
	if err := xml.Unmarshal(mustRender(t, herald.FormatAtom, ch, nil), &atom); err != nil {
		t.Fatal(err)
	}
	if atom.Updated != "1970-01-01T00:00:00Z" {
		t.Errorf("Atom updated=%q, want the epoch", atom.Updated)
	}
}
func TestAtomLanguages(t *testing.T) {
	var doc struct {
		Lang    string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
		Entries []struct {
			Lang string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
		} `xml:"entry"`
	}
	out := mustRender(t, herald.FormatAtom, siteChannel(herald.FormatAtom), sampleArticles())
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Lang != "en" {
		t.Errorf("feed xml:lang=%q, want %q", doc.Lang, "en")
	}
	// An entry in the feed's language inherits it; the others say theirs.
	for i, want := range []string{"", "fr", ""} {
		if got := doc.Entries[i].Lang; got != want {
			t.Errorf("entry %d xml:lang=%q, want %q", i, got, want)
		}
	}
}
