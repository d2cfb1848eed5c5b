package httpserver

import (
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/herald-feeds/herald/internal/herald"
)

// articlePage is an article on its own, served at the URL Herald gives an
// article stored without one (base_url + "/" + slug), so that the links
// feeds carry for it lead somewhere when Herald is the site's only server.
// An article with a URL of its own lives there: Herald serves no page for
// it.
var articlePage = pageTemplate("article", `<header>
<p class="note"><a href="{{.Home}}" lang="{{.SiteLanguage}}">{{.SiteTitle}}</a></p>
</header>
<main>
<article{{with .Item.Language}} lang="{{.}}"{{end}}>
<h1>{{.Item.Title}}</h1>
{{with .Item}}<p class="meta">{{with .Published}}<time datetime="{{.Format "2006-01-02T15:04:05Z07:00"}}">{{.Format "2 January 2006"}}</time>{{end}}{{with .Authors}} · by {{range $i, $n := .}}{{if $i}}, {{end}}<bdi>{{$n}}</bdi>{{end}}{{end}}{{with .Episode}} · {{.}}{{end}}</p>
{{with .Summary}}<p>{{.}}</p>{{end}}
{{with .Content}}<div class="content">{{.}}</div>{{end}}
{{range .Media}}<p>{{if .Audio}}<audio controls preload="none" src="{{.URL}}"></audio>{{end}}<a href="{{.URL}}">Download</a> <span class="meta">({{.Info}})</span></p>
{{end}}{{end}}</article>
</main>
<footer>
{{with .Filed}}<p class="meta">Filed under {{range $i, $f := .}}{{if $i}}, {{end}}<a href="{{$f.URL}}"><bdi>{{$f.Name}}</bdi></a>{{end}}</p>{{end}}
<p class="formats">Follow {{.SiteTitle}}: {{range .Alternates}}<a href="{{.URL}}" {{.TypeAttr}}>{{.Label}}</a>{{end}}· <a href="{{.Home}}">all feeds</a></p>
</footer>`)

type articlePageData struct {
	Title, SiteTitle, SiteLanguage, Home string
	Alternates                           []feedLink
	Item                                 feedPageItem
	Filed                                []filedUnder
}

// filedUnder is a category or tag of the article, linking to its feed
// (which a browser sees as its HTML view).
type filedUnder struct{ Name, URL string }

// pageArticle is the article whose page is served at /slug: published,
// and stored with the URL Herald derives for it (an article with a URL of
// its own lives there). Any other slug is ENotFound.
func (s *Server) pageArticle(ctx context.Context, slug string) (*herald.Article, error) {
	if slug == "" || herald.Slugify(slug) != slug {
		return nil, herald.Errorf(herald.ENotFound, "no article page at /%s", slug)
	}
	a, err := s.store.ArticleBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	if a.PublishedAt.After(s.now()) || herald.PublishedURL(a.URL) != herald.DerivedURL(s.feeds.Site().BaseURL, slug) {
		return nil, herald.Errorf(herald.ENotFound, "no article page at /%s", slug) // not published yet, or its page is elsewhere
	}
	return a, nil
}

// serveArticlePage answers GET /{slug}: the page of the published article
// with that slug whose URL is the one Herald derives for it, else 404 as
// any path nothing serves. A slug spelled in decomposed Unicode is
// redirected to its NFC spelling, as a feed's is.
//
// The page is cached in the feed cache as a feed's HTML view is
// (service.Feeds.GetArticlePage), with its own ETag and the codings made
// once per rendering, and answered as a cached view is (sendDocument),
// varying only by Accept-Encoding: a hit, or a 304, reads nothing from
// the store and executes no template.
func (s *Server) serveArticlePage(c *fiber.Ctx, slug string) error {
	if slug == "" || herald.Slugify(slug) != slug {
		if nfc, ok := nfcSlug(slug); ok {
			to := "/" + herald.EscapeURIPart(nfc)
			if q := c.Request().URI().QueryString(); len(q) > 0 {
				to += "?" + string(q)
			}
			return movedTo(to)
		}
		return herald.Errorf(herald.ENotFound, "nothing is served at %s", c.Path())
	}
	ctx, cancel := s.requestContext(c)
	defer cancel()
	rh := readFeedHeaders(c)
	// If-None-Match alone: a page has no date validator. The condition
	// borrows the header's bytes, and nothing keeps it past this call.
	cond := herald.ParseCondition(b2s(rh.ifNoneMatch), "")
	res, err := s.feeds.GetArticlePage(ctx, slug, cond, acceptCoding(rh.acceptEncoding), s.makeArticlePage)
	switch {
	case herald.ErrorCode(err) == herald.ENotFound:
		return herald.Errorf(herald.ENotFound, "nothing is served at %s", c.Path())
	case err != nil:
		return err
	}
	return s.sendDocument(c, entryDocument(res.Entry), fiber.MIMETextHTMLCharsetUTF8, "Accept-Encoding")
}

// makeArticlePage reads the article whose page is at /slug and makes the
// page (service.ArticlePageMaker): herald.ENotFound when there is none
// (pageArticle). What it makes is kept in the shared cache, so it depends
// on nothing but the article and the site's settings.
func (s *Server) makeArticlePage(ctx context.Context, slug string) ([]byte, error) {
	a, err := s.pageArticle(ctx, slug)
	if err != nil {
		return nil, err
	}
	site := s.feeds.Site()
	home := strings.TrimRight(site.BaseURL, "/")
	d := articlePageData{
		Title: a.Title, SiteTitle: site.Title, SiteLanguage: site.Language, Home: home + "/",
		Alternates: s.formatLinks(herald.SiteScope, site.Title),
		Item:       pageItem(a, site.Language),
	}
	d.Filed = s.filedUnder(a)
	return executePage(articlePage, d)
}

// filedUnder lists the article's categories, then its tags, each once.
func (s *Server) filedUnder(a *herald.Article) []filedUnder {
	site := s.feeds.Site()
	var out []filedUnder
	seen := map[herald.Scope]bool{}
	add := func(kind herald.ScopeKind, names []string) {
		for _, name := range names {
			sc := herald.Scope{Kind: kind, Slug: herald.Slugify(name)}
			if sc.Slug == "" || seen[sc] {
				continue
			}
			seen[sc] = true
			out = append(out, filedUnder{Name: name, URL: site.URL(sc, herald.FormatAtom)})
		}
	}
	add(herald.ScopeCategory, a.Categories)
	add(herald.ScopeTag, a.Tags)
	return out
}
