package httpserver

import (
	"github.com/gofiber/fiber/v2"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/service"
)

// indexPage lists every feed the server publishes, grouped by kind, with
// autodiscovery links so that a reader pointed at the server's root finds
// them, and the OPML file that subscribes to them all at once.
var indexPage = pageTemplate("index", `<header>
<h1 lang="{{.Language}}">{{.Title}}</h1>
{{with .Description}}<p lang="{{$.Language}}">{{.}}</p>{{end}}
<p class="note">Every feed below comes as RSS, Atom and JSON Feed. Copy an address into a feed reader,
or import <a href="{{.OPML}}" type="text/x-opml">all of them as OPML</a>.</p>
</header>
<main>
{{range .Groups}}<section>
<h2>{{.Heading}}</h2>
<ul class="feeds">
{{range .Feeds}}<li><bdi lang="{{.Language}}">{{.Title}}</bdi>{{with .Count}} <span class="meta">({{.}})</span>{{end}}<br>
<span class="formats">{{range .Links}}<a href="{{.URL}}" {{.TypeAttr}}>{{.Label}}</a>{{end}}</span></li>
{{end}}</ul>
</section>
{{end}}</main>`)

// maxHeadScopes bounds the autodiscovery links in the index's head: up to
// that many scopes (the site included) all have theirs; past it only the
// site, the shows and the categories do, so a reader's "pick a feed" list
// stays usable. The body and the OPML file still list every feed.
const maxHeadScopes = 100

type indexGroup struct {
	Heading string
	Feeds   []indexFeed
}

type indexFeed struct {
	Title, Count string
	Language     string // its feeds' (a show's may differ from the site's)
	Links        []feedLink
}

func (s *Server) index(c *fiber.Ctx) error {
	ctx, cancel := s.requestContext(c)
	defer cancel()
	d, err := s.directoryDoc(ctx, docIndex, s.indexPage)
	if err != nil {
		return err
	}
	// The index is the same for every Accept.
	return s.sendDocument(c, d, fiber.MIMETextHTMLCharsetUTF8, "Accept-Encoding")
}

// indexPage makes the index page of the directory dir.
func (s *Server) indexPage(dir []service.FeedInfo) ([]byte, error) {
	site := s.feeds.Site()
	data := struct {
		Title, Description, Language, OPML string
		Alternates                         []feedLink
		Groups                             []indexGroup
	}{Title: site.Title, Description: site.Description, Language: site.Language, OPML: site.BaseURL + "/feeds.opml"}

	headings := []string{"The whole site", "Podcasts", "Categories", "Tags", "Authors"}
	groups := make([][]indexFeed, len(headings))
	for _, info := range dir {
		links := s.formatLinks(info.Scope, info.Title)
		if len(dir) <= maxHeadScopes || info.Podcast || info.Scope.Kind == herald.ScopeSite || info.Scope.Kind == herald.ScopeCategory {
			data.Alternates = append(data.Alternates, links...)
		}
		g := groupOf(info)
		groups[g] = append(groups[g], indexFeed{Title: info.Title, Count: articleCount(info), Links: links, Language: site.LanguageOf(info.Scope)})
	}
	for i, feeds := range groups {
		if len(feeds) > 0 {
			data.Groups = append(data.Groups, indexGroup{Heading: headings[i], Feeds: feeds})
		}
	}
	return executePage(indexPage, data)
}

// groupOf is the index section of a feed.
func groupOf(info service.FeedInfo) int {
	switch {
	case info.Scope.Kind == herald.ScopeSite:
		return 0
	case info.Podcast:
		return 1
	case info.Scope.Kind == herald.ScopeCategory:
		return 2
	case info.Scope.Kind == herald.ScopeTag:
		return 3
	}
	return 4
}

func articleCount(info service.FeedInfo) string {
	switch {
	case info.Scope.Kind == herald.ScopeSite:
		return ""
	case info.Articles == 1:
		return "1 article"
	}
	return itoa(info.Articles) + " articles"
}
