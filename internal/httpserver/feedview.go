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

// serveFeedHTML answers a browser asking for a feed URL: the feed's HTML
// view, cached as the feed is (service.Feeds.GetView), with its own ETag
// and the conditional semantics of a page (sendDocument). The cache hands
// over the codings it holds, made once per rendering; until they are made
// the page is compressed for the request, as a page made per request is.
func (s *Server) serveFeedHTML(c *fiber.Ctx, k herald.FeedKey) error {
	ctx, cancel := s.requestContext(c)
	defer cancel()
	rh := readFeedHeaders(c)
	// If-None-Match alone: a page has no date validator. The condition
	// borrows the header's bytes, and nothing keeps it past this call.
	cond := herald.ParseCondition(b2s(rh.ifNoneMatch), "")
	coding := acceptCoding(rh.acceptEncoding)
	render := func(ch herald.Channel, articles []*herald.Article) ([]byte, error) {
		return executePage(feedPage, s.feedPageData(k, ch, articles))
	}
	res, err := s.feeds.GetView(ctx, k, cond, coding, render)
	if err != nil {
		return err
	}
	return s.sendFeedView(c, entryDocument(res.Entry))
}

// entryDocument is a page the feed cache gave (a feed's view, an
// article's page) as a document to send: the body may be nil (the cache
// sent only the coding asked for, or nothing for a 304).
func entryDocument(e herald.Entry) *document {
	return &document{body: e.Body, etag: e.ETag, due: e.Due, coded: e.Variants}
}

// feedPageData is what the page of the document k names shows.
func (s *Server) feedPageData(k herald.FeedKey, ch herald.Channel, articles []*herald.Article) feedPageData {
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
	d.Items = make([]feedPageItem, 0, len(articles))
	for _, a := range articles {
		d.Items = append(d.Items, pageItem(a, ch.Language))
	}
	return d
}

// pageItem is article a as a page shows it, in feedLang unless a names
// its own language.
func pageItem(a *herald.Article, feedLang string) feedPageItem {
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
	// The content as stored: every write sanitises it (service.Articles
	// prepare: the API and both imports; herald copy copies only what a
	// Herald store holds), and sanitising is idempotent (FuzzHTML), so
	// doing it again here would give back the same bytes. Content written
	// into the database by hand is not cleaned; the page's
	// Content-Security-Policy (pageCSP) runs no script, frame, plugin or
	// form whatever it holds.
	// #nosec G203 -- sanitised on write (internal/sanitize); see above.
	it.Content = template.HTML(a.ContentHTML)
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
