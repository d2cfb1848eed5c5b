package httpserver

import (
	"cmp"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/herald-feeds/herald/internal/herald"
)

// feedPage is a feed rendered for a browser: what a person who clicked a
// feed link sees instead of raw XML, with the address to copy into a feed
// reader and the autodiscovery links readers look for.
var feedPage = pageTemplate("feed", `<header>
<h1 lang="{{.Language}}">{{.Title}}</h1>
{{with .Description}}<p lang="{{$.Language}}">{{.}}</p>{{end}}
{{with .Artwork}}<p><img src="{{.}}" alt="Artwork of {{$.Title}}" width="200" height="200"></p>{{end}}
<p class="note">This is a web feed. To follow it, copy its address into a feed reader or podcast app:
<code>{{.FeedURL}}</code></p>
<p class="formats">Also as {{range .Alternates}}<a href="{{.URL}}" {{.TypeAttr}}>{{.Label}}</a>{{end}}· <a href="{{.Home}}">all feeds</a></p>
</header>
<main>
{{range .Items}}<article{{with .Language}} lang="{{.}}"{{end}}>
<h2>{{if .URL}}<a href="{{.URL}}">{{.Title}}</a>{{else}}{{.Title}}{{end}}</h2>
<p class="meta">{{with .Published}}<time datetime="{{.Format "2006-01-02T15:04:05Z07:00"}}">{{.Format "2 January 2006"}}</time>{{end}}{{with .Authors}} · by {{range $i, $n := .}}{{if $i}}, {{end}}<bdi>{{$n}}</bdi>{{end}}{{end}}{{with .Episode}} · {{.}}{{end}}</p>
{{with .Summary}}<p>{{.}}</p>{{end}}
{{with .Content}}<div class="content">{{.}}</div>{{end}}
{{range .Media}}<p>{{if .Audio}}<audio controls preload="none" src="{{.URL}}"></audio>{{end}}<a href="{{.URL}}">Download</a> <span class="meta">({{.Info}})</span></p>
{{end}}</article>
{{else}}<p>Nothing has been published here yet.</p>
{{end}}</main>
{{if or .Newer .Older}}<nav class="pages">{{with .Newer}}<a href="{{.}}" rel="prev">Newer</a>{{else}}<span></span>{{end}}{{with .Older}}<a href="{{.}}" rel="next">Older</a>{{end}}</nav>{{end}}`)

type feedPageData struct {
	Title, Description, Language string
	FeedURL, Home, Artwork       string
	Alternates                   []feedLink
	Items                        []feedPageItem
	Newer, Older                 string
}

type feedPageItem struct {
	Title, URL, Summary, Language, Episode string
	// Authors' names, each isolated (<bdi>) so that one written right to
	// left, or holding a direction override, cannot reorder the text
	// around it.
	Authors   []string
	Published time.Time
	Content   template.HTML
	Media     []feedPageMedia
}

type feedPageMedia struct {
	URL, Info string
	Audio     bool
}

// serveFeedHTML answers a browser asking for a feed URL.
func (s *Server) serveFeedHTML(c *fiber.Ctx, k herald.FeedKey) error {
	ctx, cancel := s.requestContext(c)
	defer cancel()
	ch, articles, due, err := s.feeds.View(ctx, k)
	if err != nil {
		return err
	}
	site := s.feeds.Site()
	d := feedPageData{
		Title: ch.Title, Description: ch.Description, Language: ch.Language,
		// The URL to subscribe to, on a history page too: the feed's
		// first page, as the documents' own feed_url and Atom id say.
		FeedURL: site.FeedURL(herald.FeedKey{Scope: k.Scope, Format: k.Format, Limit: k.Limit}), Home: strings.TrimRight(site.BaseURL, "/") + "/",
		Alternates: s.formatLinks(k.Scope, ch.Title),
	}
	if ch.Podcast != nil {
		d.Artwork = ch.Podcast.ImageURL
	}
	if p := ch.Paging; p != nil {
		d.Newer, d.Older = p.Newer, p.Older
	}
	for _, a := range articles {
		d.Items = append(d.Items, s.feedPageItem(a, ch.Language))
	}
	body, err := executePage(feedPage, d)
	if err != nil {
		return err
	}
	page := newDocument(body)
	page.due = due // the page changes when the feed does
	return s.sendPageDoc(c, page)
}

func (s *Server) feedPageItem(a *herald.Article, feedLang string) feedPageItem {
	it := feedPageItem{Title: a.Title, URL: a.URL, Summary: a.Summary, Published: a.PublishedAt.UTC()}
	it.Language = cmp.Or(a.Language, feedLang)
	for _, au := range a.Authors {
		it.Authors = append(it.Authors, au.Name)
	}
	switch {
	case a.Season > 0 && a.Episode > 0:
		it.Episode = "season " + strconv.Itoa(a.Season) + ", episode " + strconv.Itoa(a.Episode)
	case a.Episode > 0:
		it.Episode = "episode " + strconv.Itoa(a.Episode)
	}
	// Stored content is sanitised on write; it is sanitised again here
	// because this page runs in the site's own origin, and rows written
	// by an older version were never cleaned.
	// #nosec G203 -- the sanitiser's output is safe HTML by construction.
	it.Content = template.HTML(s.clean.HTML(a.ContentHTML, a.URL))
	for _, e := range a.Enclosures {
		info := e.Type
		if e.Length > 0 {
			info += ", " + strconv.FormatFloat(float64(e.Length)/(1<<20), 'f', 1, 64) + " MB"
		}
		if e.Duration > 0 {
			info += ", " + (time.Duration(e.Duration) * time.Second).String()
		}
		it.Media = append(it.Media, feedPageMedia{URL: e.URL, Info: info, Audio: strings.HasPrefix(strings.ToLower(e.Type), "audio/")})
	}
	return it
}
