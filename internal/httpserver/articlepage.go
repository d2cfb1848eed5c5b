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
func (s *Server) serveArticlePage(c *fiber.Ctx, slug string) error {
	notFound := herald.Errorf(herald.ENotFound, "nothing is served at %s", c.Path())
	if slug == "" || herald.Slugify(slug) != slug {
		if nfc, ok := nfcSlug(slug); ok {
			to := "/" + herald.EscapeURIPart(nfc)
			if q := c.Request().URI().QueryString(); len(q) > 0 {
				to += "?" + string(q)
			}
			return movedTo(to)
		}
		return notFound
	}
	ctx, cancel := s.requestContext(c)
	defer cancel()
	a, err := s.pageArticle(ctx, slug)
	switch {
	case herald.ErrorCode(err) == herald.ENotFound:
		return notFound
	case err != nil:
		return err
	}
	site := s.feeds.Site()
	home := strings.TrimRight(site.BaseURL, "/")
	d := articlePageData{
		Title: a.Title, SiteTitle: site.Title, SiteLanguage: site.Language, Home: home + "/",
		Alternates: s.formatLinks(herald.SiteScope, site.Title),
		Item:       pageItem(a, site.Language),
	}
	d.Filed = s.filedUnder(a)
	body, err := executePage(articlePage, d)
	if err != nil {
		return err
	}
	return s.sendDocument(c, newDocument(body), fiber.MIMETextHTMLCharsetUTF8, "Accept-Encoding")
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
