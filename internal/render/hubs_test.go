package render

import (
	"encoding/json"
	"encoding/xml"
	"slices"
	"testing"

	"github.com/herald-feeds/herald/internal/herald"
)

// TestHubLinks checks that a channel's WebSub hubs reach each format where
// WebSub discovery looks for them (rel="hub" links beside the self link in
// RSS and Atom, JSON Feed's hubs), and that a channel without hubs names
// none.
func TestHubLinks(t *testing.T) {
	hubs := []string{"https://hub.example.com/", "https://push.example.net/hub?a=1&b=2"}
	for _, f := range herald.Formats {
		t.Run(string(f), func(t *testing.T) {
			ch := siteChannel(f)
			ch.Hubs = hubs
			got, self := hubsOf(t, f, mustRender(t, f, ch, sampleArticles()))
			if !slices.Equal(got, hubs) {
				t.Errorf("hubs = %q, want %q", got, hubs)
			}
			if self != ch.FeedURL {
				t.Errorf("self/feed_url = %q, want the topic %q", self, ch.FeedURL)
			}
			ch.Hubs = nil
			if got, _ := hubsOf(t, f, mustRender(t, f, ch, sampleArticles())); len(got) != 0 {
				t.Errorf("a channel without hubs names %q", got)
			}
		})
	}
}

// hubsOf reads the WebSub hubs and the self URL (the topic) out of a
// rendered document.
func hubsOf(t *testing.T, f herald.Format, out []byte) (hubs []string, self string) {
	t.Helper()
	if f == herald.FormatJSON {
		var doc struct {
			FeedURL string `json:"feed_url"`
			Hubs    []struct{ Type, URL string }
		}
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatalf("decode: %v", err)
		}
		for _, h := range doc.Hubs {
			if h.Type != "WebSub" {
				t.Errorf("hub %s has type %q, want WebSub", h.URL, h.Type)
			}
			hubs = append(hubs, h.URL)
		}
		return hubs, doc.FeedURL
	}
	type link struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
		Type string `xml:"type,attr"`
	}
	var doc struct {
		Links   []link `xml:"http://www.w3.org/2005/Atom link"`
		Channel struct {
			Links []link `xml:"http://www.w3.org/2005/Atom link"`
		} `xml:"channel"`
	}
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("parse: %v", err)
	}
	links := doc.Links
	if f == herald.FormatRSS {
		links = doc.Channel.Links
	}
	for _, l := range links {
		switch l.Rel {
		case "hub":
			if l.Type != "" {
				t.Errorf("hub link %s has a type (%q): a hub is no feed", l.Href, l.Type)
			}
			hubs = append(hubs, l.Href)
		case "self":
			self = l.Href
		}
	}
	return hubs, self
}
