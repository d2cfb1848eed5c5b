package httpserver

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/herald-feeds/herald/internal/herald"
)

// listArticles answers GET /api/v1/articles?page=&per_page=, scheduled
// articles included, newest first.
func (s *Server) listArticles(c *fiber.Ctx) error {
	page, err := intQuery(c, "page", 1, 1, 1<<30)
	if err != nil {
		return err
	}
	perPage, err := intQuery(c, "per_page", s.cfg.DefaultPageSize, 1, s.cfg.MaxPageSize)
	if err != nil {
		return err
	}
	ctx, cancel := s.requestContext(c)
	defer cancel()
	list, total, err := s.articles.List(ctx, (page-1)*perPage, perPage)
	if err != nil {
		return err
	}
	out := make([]*herald.Article, len(list))
	for i, a := range list {
		out[i] = articleOutput(a)
	}
	return c.JSON(fiber.Map{"articles": out, "page": page, "per_page": perPage, "total": total})
}

// createArticle answers POST /api/v1/articles with 201 and the stored
// article, whose URL is in Location and whose version is in ETag.
func (s *Server) createArticle(c *fiber.Ctx) error {
	in, err := readArticle(c)
	if err != nil {
		return err
	}
	if in.ID != "" {
		return herald.FieldError(herald.EInvalid, "id", "id is assigned by the server; leave it out")
	}
	a, err := in.article()
	if err != nil {
		return err
	}
	ctx, cancel := s.requestContext(c)
	defer cancel()
	vc := &herald.VersionCheck{}
	if err := s.articles.Create(herald.WithVersionCheck(ctx, vc), a); err != nil {
		return err
	}
	c.Location("/api/v1/articles/" + a.ID)
	setArticleETag(c, vc.Version)
	return c.Status(fiber.StatusCreated).JSON(articleOutput(a))
}

// articleID is the article id in the URL, canonicalID, copied since it
// outlives the handler.
func articleID(c *fiber.Ctx) string { return canonicalID(strings.Clone(c.Params("id"))) }

// canonicalID is a UUID in its canonical lower case, however the client
// wrote its letters (ids are UUIDs, which compare without regard to case),
// else id as given. The id in the URL and one in a body compare so.
func canonicalID(id string) string {
	if len(id) == 36 {
		if u, err := uuid.Parse(id); err == nil {
			return u.String()
		}
	}
	return id
}

// checkBodyID refuses a body whose id names another article than the URL.
func checkBodyID(in *articleInput, id string) error {
	if in.ID != "" && canonicalID(in.ID) != id {
		return herald.FieldError(herald.EInvalid, "id", "id %q does not match the article in the URL", in.ID)
	}
	return nil
}

// checkArticleID answers 404 for an id in the URL that no article can
// have, text that is not UTF-8 or holds a NUL, before any store sees it:
// PostgreSQL refuses such text with an error, which would be a 500 for a
// client's mistake.
func checkArticleID(c *fiber.Ctx) error {
	if id := c.Params("id"); !utf8.ValidString(id) || strings.IndexByte(id, 0) >= 0 {
		return herald.Errorf(herald.ENotFound, "no article has this id")
	}
	return c.Next()
}

// getArticle answers GET with the article and its version in ETag, or 304
// when If-None-Match names that version.
func (s *Server) getArticle(c *fiber.Ctx) error {
	ctx, cancel := s.requestContext(c)
	defer cancel()
	vc := &herald.VersionCheck{}
	a, err := s.articles.Get(herald.WithVersionCheck(ctx, vc), articleID(c))
	if err != nil {
		return err
	}
	setArticleETag(c, vc.Version)
	// RFC 9110, 13.2.2: If-Match (else If-Unmodified-Since) first, then
	// If-None-Match.
	if m := readIfMatch(c); !m.holds(vc.Version, a.UpdatedAt) {
		return m.errPrecondition(articleID(c))
	}
	if namesVersion(readIfNoneMatch(c), vc.Version) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	return c.JSON(articleOutput(a))
}

// replaceArticle answers PUT: the body is the whole new article. With
// If-Match, the article is replaced only at a version the header names;
// with If-None-Match, only at a version it does not name ("*": never, as
// PUT does not create).
func (s *Server) replaceArticle(c *fiber.Ctx) error {
	in, err := readArticle(c)
	if err != nil {
		return err
	}
	id := articleID(c)
	if err := checkBodyID(in, id); err != nil {
		return err
	}
	a, err := in.article()
	if err != nil {
		return err
	}
	ctx, cancel := s.requestContext(c)
	defer cancel()
	m, none := readIfMatch(c), readIfNoneMatch(c)
	if vc, ok, err := directWrite(m, none, id); err != nil || ok && !a.PublishedAt.IsZero() && a.Slug != "" {
		if err != nil {
			return err
		}
		if err := s.articles.Replace(herald.WithVersionCheck(ctx, vc), id, a); err != nil {
			return m.failed(err)
		}
		setArticleETag(c, vc.Version)
		return c.JSON(articleOutput(a))
	}
	var out *herald.Article
	vc, err := s.writeAt(ctx, id, m, none, func(current *herald.Article, vc *herald.VersionCheck) error {
		b := *a
		if b.PublishedAt.IsZero() {
			// A document without published_at keeps the article's date,
			// as a re-import does: "now" would move the article to the
			// top of every feed each time a publisher's system sends it
			// again. (In a PATCH, null is the default, now, as for a new
			// article.)
			b.PublishedAt = current.PublishedAt
		}
		if b.Slug == "" {
			// Nor does the article move to another address when a title
			// is corrected: its slug is its permalink, which readers and
			// other sites link.
			b.Slug = current.Slug
		}
		out = &b
		return s.articles.Replace(herald.WithVersionCheck(ctx, vc), id, &b)
	})
	if err != nil {
		return err
	}
	setArticleETag(c, vc.Version)
	return c.JSON(articleOutput(out))
}

// patchArticle answers PATCH with a JSON merge patch (RFC 7396), applied
// to the version it read and written only if the article is still at that
// version: a write that came in between is never lost (writeAt).
func (s *Server) patchArticle(c *fiber.Ctx) error {
	body, err := requestBody(c, true)
	if err != nil {
		return err
	}
	id := articleID(c)
	ctx, cancel := s.requestContext(c)
	defer cancel()
	var out *herald.Article
	vc, err := s.writeAt(ctx, id, readIfMatch(c), readIfNoneMatch(c), func(current *herald.Article, vc *herald.VersionCheck) error {
		in, err := mergePatch(current, body, s.feeds.Site().BaseURL)
		if err != nil {
			return err
		}
		if err := checkBodyID(in, id); err != nil {
			return err
		}
		if out, err = in.article(); err != nil {
			return err
		}
		return s.articles.Replace(herald.WithVersionCheck(ctx, vc), id, out)
	})
	if err != nil {
		return err
	}
	setArticleETag(c, vc.Version)
	return c.JSON(articleOutput(out))
}

// writeAttempts bounds how often writeAt writes again because another
// write changed the article between its read and its write. An attempt
// fails only when another write was committed since its read, so as many
// writes as this sent at once all land.
const writeAttempts = 8

// deleteArticle answers DELETE with 204; with If-Match, only at a version
// the header names.
func (s *Server) deleteArticle(c *fiber.Ctx) error {
	ctx, cancel := s.requestContext(c)
	defer cancel()
	id := articleID(c)
	m, none := readIfMatch(c), readIfNoneMatch(c)
	del := func(_ *herald.Article, vc *herald.VersionCheck) error {
		return s.articles.Delete(herald.WithVersionCheck(ctx, vc), id)
	}
	vc, ok, err := directWrite(m, none, id)
	switch {
	case err != nil:
		return err
	case ok:
		err = m.failed(del(nil, vc))
	default:
		_, err = s.writeAt(ctx, id, m, none, del)
	}
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// readArticle checks the media type and decodes the body of a POST or a
// PUT, a whole article, strictly.
func readArticle(c *fiber.Ctx) (*articleInput, error) {
	body, err := requestBody(c, false)
	if err != nil {
		return nil, err
	}
	// JSON's null decodes into a struct as nothing at all, which would
	// be reported as a missing title rather than as the wrong body.
	if string(bytes.TrimSpace(body)) == "null" {
		return nil, herald.Errorf(herald.EBadRequest, "an article must be a JSON object, got null")
	}
	var in articleInput
	if err := decodeStrict(body, &in); err != nil {
		return nil, err
	}
	return &in, nil
}

// mergePatchType is the media type of a JSON merge patch (RFC 7396), the
// one PATCH takes; Accept-Patch names it (RFC 5789, 3.1).
const mergePatchType = "application/merge-patch+json"

// requestBody checks the body's media type and coding and returns it as
// sent. A whole article (POST, PUT) is application/json or another +json
// type but a merge patch, whose members would be taken for the whole
// article; a patch is a merge patch, or application/json read as one.
// A missing Content-Type is taken as JSON. A compressed body is refused
// (415, with Accept-Encoding: identity, RFC 9110 12.5.3) rather than
// inflated: api.max_body_bytes bounds what arrives, and a few hundred
// kilobytes of gzip inflate to gigabytes.
func requestBody(c *fiber.Ctx, patch bool) ([]byte, error) {
	if ce := strings.TrimSpace(c.Get(fiber.HeaderContentEncoding)); ce != "" && !strings.EqualFold(ce, "identity") {
		c.Set(fiber.HeaderAcceptEncoding, "identity")
		return nil, fiber.NewError(fiber.StatusUnsupportedMediaType, "Content-Encoding "+strconv.Quote(ce)+" is not accepted: send the body uncompressed")
	}
	ct, params, _ := strings.Cut(c.Get(fiber.HeaderContentType), ";")
	ct = strings.ToLower(strings.TrimSpace(ct))
	// JSON exchanged between systems is UTF-8 (RFC 8259, 8.1): a body
	// labelled otherwise would be read as what it is not.
	if cs := charsetParam(params); cs != "" && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return nil, fiber.NewError(fiber.StatusUnsupportedMediaType, "the body must be JSON in UTF-8, got charset "+strconv.Quote(cs))
	}
	switch {
	case patch && (ct == "" || ct == "application/json" || ct == mergePatchType):
	case !patch && (ct == "" || ct == "application/json" || strings.HasSuffix(ct, "+json") && ct != mergePatchType):
	case patch:
		c.Set("Accept-Patch", mergePatchType)
		return nil, fiber.NewError(fiber.StatusUnsupportedMediaType, "Content-Type must be "+mergePatchType+" (or application/json), got "+strconv.Quote(ct))
	default:
		return nil, fiber.NewError(fiber.StatusUnsupportedMediaType, "Content-Type must be application/json, got "+strconv.Quote(ct))
	}
	// The body as received: Fiber's Body would inflate it per its
	// Content-Encoding.
	return c.Request().Body(), nil
}

// charsetParam is the charset parameter among a media type's parameters
// (what follows its first ";"), unquoted, or "".
func charsetParam(params string) string {
	for p := range strings.SplitSeq(params, ";") {
		name, value, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(name), "charset") {
			return strings.Trim(strings.TrimSpace(value), `"`)
		}
	}
	return ""
}

// intQuery reads an optional integer query parameter within [lo, hi].
func intQuery(c *fiber.Ctx, name string, def, lo, hi int) (int, error) {
	args := c.Context().QueryArgs()
	if !args.Has(name) {
		return def, nil
	}
	n, err := strconv.Atoi(string(args.Peek(name)))
	if err != nil || n < lo || n > hi {
		return 0, herald.FieldError(herald.EBadRequest, name, "%s must be an integer between %d and %d", name, lo, hi)
	}
	return n, nil
}
