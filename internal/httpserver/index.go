package httpserver

import (
	"html/template"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/herald-feeds/herald/internal/herald"
)

// indexPage lists the site's feeds with autodiscovery links, so a reader
// pointed at the server's root finds them.
var indexPage = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="{{.Language}}">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
{{range .Feeds}}<link rel="alternate" type="{{.Type}}" title="{{$.Title}} ({{.Name}})" href="{{.URL}}">
{{end}}</head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Description}}</p>
<ul>
{{range .Feeds}}<li><a href="{{.URL}}">{{.Name}}</a></li>
{{end}}</ul>
</body>
</html>
`))

type indexFeed struct{ Name, Type, URL string }

func (s *Server) index(c *fiber.Ctx) error {
	site := s.feeds.Site()
	data := struct {
		Title, Description, Language string
		Feeds                        []indexFeed
	}{Title: site.Title, Description: site.Description, Language: site.Language}
	base := strings.TrimRight(site.BaseURL, "/")
	for _, f := range herald.Formats {
		mt, _, _ := strings.Cut(f.ContentType(), ";")
		data.Feeds = append(data.Feeds, indexFeed{Name: strings.ToUpper(string(f)), Type: mt, URL: base + herald.SiteScope.FeedPath(f)})
	}
	var b strings.Builder
	if err := indexPage.Execute(&b, data); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.SendString(b.String())
}
