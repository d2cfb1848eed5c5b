package httpserver

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

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
// article, whose URL is in Location.
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
	if err := s.articles.Create(ctx, a); err != nil {
		return err
	}
	c.Location("/api/v1/articles/" + a.ID)
	return c.Status(fiber.StatusCreated).JSON(articleOutput(a))
}

func (s *Server) getArticle(c *fiber.Ctx) error {
	ctx, cancel := s.requestContext(c)
	defer cancel()
	a, err := s.articles.Get(ctx, strings.Clone(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(articleOutput(a))
}

// replaceArticle answers PUT: the body is the whole new article.
func (s *Server) replaceArticle(c *fiber.Ctx) error {
	in, err := readArticle(c)
	if err != nil {
		return err
	}
	return s.replace(c, in)
}

// patchArticle answers PATCH with a JSON merge patch (RFC 7396).
func (s *Server) patchArticle(c *fiber.Ctx) error {
	if err := requireJSON(c); err != nil {
		return err
	}
	ctx, cancel := s.requestContext(c)
	defer cancel()
	current, err := s.articles.Get(ctx, strings.Clone(c.Params("id")))
	if err != nil {
		return err
	}
	in, err := mergePatch(current, c.Body())
	if err != nil {
		return err
	}
	return s.replace(c, in)
}

func (s *Server) replace(c *fiber.Ctx, in *articleInput) error {
	id := strings.Clone(c.Params("id"))
	if in.ID != "" && in.ID != id {
		return herald.FieldError(herald.EInvalid, "id", "id %q does not match the article in the URL", in.ID)
	}
	a, err := in.article()
	if err != nil {
		return err
	}
	ctx, cancel := s.requestContext(c)
	defer cancel()
	if err := s.articles.Replace(ctx, id, a); err != nil {
		return err
	}
	return c.JSON(articleOutput(a))
}

func (s *Server) deleteArticle(c *fiber.Ctx) error {
	ctx, cancel := s.requestContext(c)
	defer cancel()
	if err := s.articles.Delete(ctx, strings.Clone(c.Params("id"))); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// readArticle checks the media type and decodes the body strictly.
func readArticle(c *fiber.Ctx) (*articleInput, error) {
	if err := requireJSON(c); err != nil {
		return nil, err
	}
	var in articleInput
	if err := decodeStrict(c.Body(), &in); err != nil {
		return nil, err
	}
	return &in, nil
}

// requireJSON accepts application/json and any +json type (such as
// application/merge-patch+json); a missing Content-Type is taken as JSON.
func requireJSON(c *fiber.Ctx) error {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(c.Get(fiber.HeaderContentType), ";")[0]))
	if ct == "" || ct == "application/json" || strings.HasSuffix(ct, "+json") {
		return nil
	}
	return fiber.NewError(fiber.StatusUnsupportedMediaType, "Content-Type must be application/json, got "+strconv.Quote(ct))
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
