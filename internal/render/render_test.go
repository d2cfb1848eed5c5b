package render

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-feeds/herald/internal/herald"
)

func TestDeterministic(t *testing.T) {
	for _, f := range herald.Formats {
		t.Run(string(f), func(t *testing.T) {
			ch := siteChannel(f)
			first := mustRender(t, f, ch, sampleArticles())
			if again := mustRender(t, f, ch, sampleArticles()); !bytes.Equal(first, again) {
				t.Fatalf("second render differs:\n%s\nvs\n%s", first, again)
			}
			// Clones, and the same instants in another zone and with
			// sub-second digits a database may keep, render the same bytes.
			zone := time.FixedZone("UTC-7", -7*3600)
			var moved []*herald.Article
			for _, a := range sampleArticles() {
				c := a.Clone()
				c.PublishedAt = c.PublishedAt.In(zone).Add(999 * time.Millisecond)
				c.UpdatedAt = c.UpdatedAt.In(zone)
				moved = append(moved, c)
			}
			ch.Updated = ch.Updated.In(zone)
			if got := mustRender(t, f, ch, moved); !bytes.Equal(first, got) {
				t.Fatalf("render of clones in another zone differs:\n%s\nvs\n%s", first, got)
			}
			// Concurrent renders by one shared Renderer agree too.
			r := New()
			var wg sync.WaitGroup
			outs := make([][]byte, 8)
			for i := range outs {
				wg.Go(func() { outs[i], _ = r.Render(f, siteChannel(f), sampleArticles()) })
			}
			wg.Wait()
			for i, out := range outs {
				if !bytes.Equal(out, first) {
					t.Fatalf("concurrent render %d differs", i)
				}
			}
		})
	}
}

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
		t.Run(string(f), func(t *testing.T) {
			ch := siteChannel(f)
			ch.Title += "\x00"
			out := mustRender(t, f, ch, []*herald.Article{hostileArticle()})
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
			// The "]]>" sequences survive, split across CDATA sections or
			// escaped, and the illegal characters are gone.
			if got, want := content.String(), "<p>Content]]></p>]]>"; got != want {
				t.Fatalf("content=%q, want %q", got, want)
			}
		})
	}
}

// TestNoEmptyElements walks every element of the XML formats, for a
// channel and articles with as little as possible, and fails on an element
// that has neither text, attributes nor children.
func TestNoEmptyElements(t *testing.T) {
	ch := herald.Channel{Title: "T", FeedURL: "https://x.example.com/feed"}
	articles := []*herald.Article{{ID: "0c0c0c0c-0000-4000-8000-000000000000"}, hostileArticle()}
	for _, f := range []herald.Format{herald.FormatRSS, herald.FormatAtom} {
		t.Run(string(f), func(t *testing.T) {
			out := mustRender(t, f, ch, articles)
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
					if !e.nonEmpty {
						t.Errorf("empty <%s> in\n%s", e.name, out)
					}
				}
			}
		})
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
	for i, a := range sampleArticles() {
		if got := doc.Entries[i].Lang; got != a.Language {
			t.Errorf("entry %d xml:lang=%q, want %q", i, got, a.Language)
		}
	}
}

func TestJSONFeedMusts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		articles []*herald.Article
	}{
		{"sample", sampleArticles()},
		{"no articles", nil},
		{"bare and hostile", []*herald.Article{{ID: "0c0c0c0c-0000-4000-8000-000000000000"}, hostileArticle()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := mustRender(t, herald.FormatJSON, siteChannel(herald.FormatJSON), tc.articles)
			if !json.Valid(out) {
				t.Fatalf("invalid JSON:\n%s", out)
			}
			var doc map[string]any
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatal(err)
			}
			if got := doc["version"]; got != "https://jsonfeed.org/version/1.1" {
				t.Errorf("version=%v, want the 1.1 URL", got)
			}
			if title, _ := doc["title"].(string); title == "" {
				t.Errorf("title=%v, want a non-empty string", doc["title"])
			}
			if _, ok := doc["author"]; ok {
				t.Errorf("feed has the JSON Feed 1.0 \"author\" key")
			}
			items, ok := doc["items"].([]any)
			if !ok {
				t.Fatalf("items=%v, want an array", doc["items"])
			}
			if len(items) != len(tc.articles) {
				t.Fatalf("%d items, want %d", len(items), len(tc.articles))
			}
			for i, v := range items {
				item := v.(map[string]any)
				if id, _ := item["id"].(string); id == "" {
					t.Errorf("item %d id=%v, want a non-empty string", i, item["id"])
				}
				h, _ := item["content_html"].(string)
				txt, _ := item["content_text"].(string)
				if h == "" && txt == "" {
					t.Errorf("item %d has neither content_html nor content_text", i)
				}
				if _, ok := item["author"]; ok {
					t.Errorf("item %d has the JSON Feed 1.0 \"author\" key", i)
				}
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	good := siteChannel(herald.FormatRSS)
	for _, tc := range []struct {
		name     string
		format   herald.Format
		channel  herald.Channel
		articles []*herald.Article
		want     string
	}{
		{"unknown format", "yaml", good, nil, "unknown format"},
		{"no title", herald.FormatRSS, herald.Channel{FeedURL: good.FeedURL}, nil, "no title"},
		{"no feed URL", herald.FormatAtom, herald.Channel{Title: "T"}, nil, "no feed URL"},
		{"article without id", herald.FormatJSON, good, []*herald.Article{{Title: "x", Slug: "x"}}, "has no id"},
		{"nil article", herald.FormatRSS, good, []*herald.Article{nil}, "is nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := New().Render(tc.format, tc.channel, tc.articles)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err=%v, want one containing %q", err, tc.want)
			}
			if out != nil {
				t.Fatalf("out=%q, want nil on error", out)
			}
		})
	}
}

func TestGeneratorOption(t *testing.T) {
	out, err := NewWithOptions(Options{Generator: "Herald 1.0"}).Render(herald.FormatAtom, siteChannel(herald.FormatAtom), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "<generator>Herald 1.0</generator>"; !bytes.Contains(out, []byte(want)) {
		t.Fatalf("output lacks %s:\n%s", want, out)
	}
}
