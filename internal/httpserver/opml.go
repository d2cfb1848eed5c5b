package httpserver

import (
	"bytes"
	"encoding/xml"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/service"
)

// opmlDoc is an OPML 2.0 subscription list: one outline per feed, in
// groups by kind, each pointing at the feed's RSS document (type "rss" is
// what OPML calls any feed; readers that prefer Atom or JSON Feed find
// those through the feed's own links).
type opmlDoc struct {
	XMLName xml.Name    `xml:"opml"`
	Version string      `xml:"version,attr"`
	Title   string      `xml:"head>title"`
	Owner   string      `xml:"head>ownerName,omitempty"`
	Email   string      `xml:"head>ownerEmail,omitempty"`
	Docs    string      `xml:"head>docs"`
	Body    []opmlGroup `xml:"body>outline"`
}

type opmlGroup struct {
	Text     string        `xml:"text,attr"`
	Title    string        `xml:"title,attr"`
	Outlines []opmlOutline `xml:"outline"`
}

type opmlOutline struct {
	Type        string `xml:"type,attr"`
	Version     string `xml:"version,attr"`
	Text        string `xml:"text,attr"`
	Title       string `xml:"title,attr"`
	Description string `xml:"description,attr,omitempty"`
	XMLURL      string `xml:"xmlUrl,attr"`
	HTMLURL     string `xml:"htmlUrl,attr"`
	Language    string `xml:"language,attr,omitempty"`
}

// opmlContentType is the media type feed readers expect for OPML.
const opmlContentType = "text/x-opml; charset=utf-8"

// opml serves /feeds.opml, every feed of the directory.
func (s *Server) opml(c *fiber.Ctx) error {
	ctx, cancel := s.requestContext(c)
	defer cancel()
	d, err := s.directoryDoc(ctx, docOPML, s.opmlFile)
	if err != nil {
		return err
	}
	return s.sendDocument(c, d, opmlContentType, "Accept-Encoding")
}

// opmlFile makes the OPML file of the directory dir.
func (s *Server) opmlFile(dir []service.FeedInfo) ([]byte, error) {
	site := s.feeds.Site()
	home := strings.TrimRight(site.BaseURL, "/") + "/"
	doc := opmlDoc{Version: "2.0", Title: site.Title + " — all feeds", Owner: site.Author.Name, Email: site.Author.Email,
		Docs: "http://opml.org/spec2.opml"}
	headings := []string{"The whole site", "Podcasts", "Categories", "Tags", "Authors"}
	groups := make([]opmlGroup, len(headings))
	for i, h := range headings {
		groups[i] = opmlGroup{Text: h, Title: h}
	}
	for _, info := range dir {
		g := groupOf(info)
		groups[g].Outlines = append(groups[g].Outlines, opmlOutline{
			Type: "rss", Version: "RSS", Text: info.Title, Title: info.Title,
			XMLURL: site.URL(info.Scope, herald.FormatRSS), HTMLURL: home, Language: site.LanguageOf(info.Scope),
		})
	}
	for _, g := range groups {
		if len(g.Outlines) > 0 {
			doc.Body = append(doc.Body, g)
		}
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}
