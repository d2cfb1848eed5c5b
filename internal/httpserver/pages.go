package httpserver

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/gofiber/fiber/v2"

	"github.com/herald-feeds/herald/internal/encode"
	"github.com/herald-feeds/herald/internal/herald"
)

// The HTML pages (the index and a feed's browser view) are generated from
// html/template, which escapes every value for its context, carry no
// script at all, and are served with a Content-Security-Policy that would
// block one anyway: article content is sanitised, but a page that cannot
// run script does not depend on that.
const pageCSP = "default-src 'none'; img-src http: https: data:; media-src http: https:; style-src 'unsafe-inline'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// pageStyle keeps the pages readable without any external resource.
const pageStyle = `body{font:1rem/1.55 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;background:#fdfdfb;overflow-wrap:anywhere}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin:1.6rem 0 .2rem}a{color:#0b5394}
.meta,.note{color:#555;font-size:.9rem}code{background:#eee;padding:0 .25rem;word-break:break-all}
article{border-top:1px solid #ddd;padding-top:.4rem}img{max-width:100%;height:auto}ul.feeds li{margin:.3rem 0}
.formats a{margin-right:.6rem}nav.pages{margin:2rem 0;display:flex;justify-content:space-between}audio{width:100%}`

// feedLink is one autodiscovery link: a feed in one format.
type feedLink struct {
	Title, Type, URL, Label string
	// TypeAttr is the type attribute ready to write: html/template would
	// write the "+" of "application/rss+xml" as "&#43;", which browsers
	// decode but simple autodiscovery scanners do not. Type is one of our
	// own constants, so writing it verbatim is safe.
	TypeAttr template.HTMLAttr
}

// formatLinks lists the scope's subscription documents in every format.
func (s *Server) formatLinks(scope herald.Scope, title string) []feedLink {
	site := s.feeds.Site()
	out := make([]feedLink, 0, len(herald.Formats))
	for _, f := range herald.Formats {
		mt, _, _ := strings.Cut(f.ContentType(), ";")
		label := formatLabel(f)
		out = append(out, feedLink{Title: title + " (" + label + ")", Type: mt, URL: site.URL(scope, f), Label: label,
			TypeAttr: template.HTMLAttr(`type="` + mt + `"`)}) // #nosec G203 -- a constant media type
	}
	return out
}

func formatLabel(f herald.Format) string {
	switch f {
	case herald.FormatRSS:
		return "RSS"
	case herald.FormatAtom:
		return "Atom"
	}
	return "JSON Feed"
}

// executePage returns the page t makes of data.
func executePage(t *template.Template, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// sendFeedView sends d, a feed's HTML view: it varies by Accept too, since
// the feed's URL answers browsers with it and readers with the feed.
func (s *Server) sendFeedView(c *fiber.Ctx, d *document) error {
	return s.sendDocument(c, d, fiber.MIMETextHTMLCharsetUTF8, "Accept, Accept-Encoding")
}

// document is a page or an OPML file ready to send: its bytes, their
// strong ETag, and the compressed codings made of them so far. A document
// made for one request is compressed in the one coding that request
// wants; one kept across requests (the directory's, dirDocs) is
// compressed at most once per coding, by the first request that wants
// it, and later requests send those bytes. A feed's HTML view comes from
// the feed cache with the codings made when it was rendered; its body is
// nil when the cache sent only the coding the request wants, or nothing
// for a 304.
type document struct {
	body []byte
	etag string
	// due is when the document changes on its own, as a scheduled article
	// appears (zero: only with a write); no cache may keep it past then.
	due time.Time

	mu    sync.Mutex // held while a coding is made, so a burst makes it once
	coded herald.Variants
}

func newDocument(body []byte) *document {
	return &document{body: body, etag: `"` + strconv.FormatUint(xxhash.Sum64(body), 16) + `"`}
}

// has reports whether d holds its bytes in coding c already.
func (d *document) has(c herald.Coding) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.coded.Get(c) != nil
}

// codedBody returns d's bytes in coding c, made with enc the first time.
func (d *document) codedBody(enc *encode.Encoder, c herald.Coding, made *atomic.Int64) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if b := d.coded.Get(c); b != nil {
		return b, nil
	}
	b, err := enc.Encode(d.body, c)
	if err != nil {
		return nil, err
	}
	made.Add(1)
	d.coded.Set(c, b)
	return b, nil
}

// sendDocument sends d with Cache-Control, Vary, and its strong ETag
// (with the coding's suffix, as feeds have), with the conditional
// semantics of a feed: 412 when If-Match names none of its tags (or
// If-Unmodified-Since, which a document without a date ignores), else 304
// when If-None-Match names any coding's tag; compressed in the coding the
// client prefers. An HTML page gets its Content-Security-Policy and the
// other headers of a page's body, which a 304 leaves out like every 304.
func (s *Server) sendDocument(c *fiber.Ctx, d *document, contentType, vary string) error {
	h := &c.Response().Header
	rh := readFeedHeaders(c)
	if (rh.ifMatch != nil || rh.ifUnmodifiedSince != nil) &&
		!herald.PreconditionHolds(b2s(rh.ifMatch), b2s(rh.ifUnmodifiedSince), d.etag, time.Time{}) {
		return herald.Errorf(herald.EPrecondition, "this document is no longer the representation If-Match names; GET it without If-Match for the current one")
	}
	var cc [48]byte
	setHeader(h, hdrCacheControl, s.cacheControl(cc[:0], d.due, s.now()))
	h.Set(fiber.HeaderVary, vary)
	coding := acceptCoding(rh.acceptEncoding)
	// A body the cache did not send (it sent the coding, or a 304 is due)
	// is a page large enough to compress: the coding is the one asked for.
	if (s.enc == nil || len(d.body) < minCodedDocument) && d.body != nil && !d.has(coding) {
		coding = herald.CodingIdentity
	}
	var buf [96]byte
	tag := appendETag(buf[:0], d.etag, coding)
	if cond := herald.ParseCondition(b2s(rh.ifNoneMatch), ""); cond.NotModified(d.etag, time.Time{}, s.now()) {
		// As a feed's: the tag the client holds when it matched through
		// another coding's, so that a cache refreshes the response it has.
		if held, ok := cond.EchoTag(tag, d.etag); ok {
			tag = append(buf[:0], held...)
		}
		setHeader(h, hdrETag, tag)
		c.Status(fiber.StatusNotModified)
		return nil
	}
	setHeader(h, hdrETag, tag)
	if contentType == fiber.MIMETextHTMLCharsetUTF8 {
		h.Set(fiber.HeaderContentSecurityPolicy, pageCSP)
		h.Set(fiber.HeaderXContentTypeOptions, "nosniff")
		h.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	}
	h.Set(fiber.HeaderContentType, contentType)
	body := d.body
	if coding != herald.CodingIdentity {
		coded, err := d.codedBody(s.enc, coding, &s.docCompressions)
		if err != nil {
			return err
		}
		setHeader(h, hdrContentEnc, codingValue(coding))
		body = coded
	}
	return c.Send(body)
}

// minCodedDocument is the size below which a document goes uncompressed:
// a coding's framing would eat what it saves.
const minCodedDocument = 1024

// pageTemplate parses a page whose body is body, sharing the head. The
// page's own words (notes, headings, "by", dates) are English, so the
// page is marked so; what comes from the site (titles, descriptions,
// names, articles) carries the site's or the article's language where it
// appears in the body.
func pageTemplate(name, body string) *template.Template {
	return template.Must(template.New(name).Funcs(template.FuncMap{"style": func() template.CSS { return pageStyle }}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
{{range .Alternates}}<link rel="alternate" {{.TypeAttr}} title="{{.Title}}" href="{{.URL}}">
{{end}}<style>{{style}}</style>
</head>
<body>
` + body + `
</body>
</html>
`))
}
