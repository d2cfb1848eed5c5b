package httpserver

import (
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/herald-feeds/herald/internal/herald"
)

// resource is one route pattern ("/api/v1/articles/:id") and the methods
// its routes answer.
type resource struct {
	segments []string
	methods  []string
}

// methodOrder is the order methods are listed in an Allow header.
var methodOrder = []string{
	fiber.MethodGet, fiber.MethodHead, fiber.MethodPost, fiber.MethodPut,
	fiber.MethodPatch, fiber.MethodDelete, fiber.MethodOptions,
}

// newResources groups routes by pattern, leaving out middleware.
func newResources(routes []fiber.Route) []resource {
	var out []resource
	for _, r := range routes {
		segs := splitPath(r.Path)
		i := slices.IndexFunc(out, func(x resource) bool { return slices.Equal(x.segments, segs) })
		if i < 0 {
			out = append(out, resource{segments: segs})
			i = len(out) - 1
		}
		if !slices.Contains(out[i].methods, r.Method) {
			out[i].methods = append(out[i].methods, r.Method)
		}
	}
	for i := range out {
		slices.SortFunc(out[i].methods, func(a, b string) int {
			return slices.Index(methodOrder, a) - slices.Index(methodOrder, b)
		})
	}
	return out
}

// allowedMethods lists, as an Allow header does, every method some
// resource answers, and OPTIONS, which feeds and the server as a whole
// answer without a route of that method.
func allowedMethods(resources []resource) string {
	var all []string
	for _, m := range methodOrder {
		if m == fiber.MethodOptions || slices.ContainsFunc(resources, func(r resource) bool { return slices.Contains(r.methods, m) }) {
			all = append(all, m)
		}
	}
	return strings.Join(all, ", ")
}

// splitPath is path's segments, a trailing slash ignored as the router
// ignores it (StrictRouting is off).
func splitPath(path string) []string {
	path = strings.TrimSuffix(path, "/")
	if path == "" {
		return nil
	}
	return strings.Split(strings.TrimPrefix(path, "/"), "/")
}

// matches reports whether path's segments fit the pattern: literal
// segments equal, a parameter any value its handler could accept (a feed
// file name for :file, a slug for :slug), so that a path whose GET is a
// 404 is a 404 for every method.
func (r resource) matches(segs []string) bool {
	if len(segs) != len(r.segments) {
		return false
	}
	for i, p := range r.segments {
		switch p {
		case ":file":
			if _, ok := feedFile(segs[i]); !ok {
				return false
			}
		case ":slug":
			if segs[i] == "" || herald.Slugify(segs[i]) != segs[i] {
				return false
			}
		default:
			if strings.HasPrefix(p, ":") {
				if segs[i] == "" {
					return false
				}
			} else if p != segs[i] {
				return false
			}
		}
	}
	return true
}

// patternOf is the route pattern of the resource path names, or
// "unmatched" when no route serves it.
func (s *Server) patternOf(path string) string {
	segs := splitPath(path)
	for _, r := range s.resources {
		if r.matches(segs) {
			return "/" + strings.Join(r.segments, "/")
		}
	}
	return unmatched
}

// allowed lists the methods path answers, as an Allow header's value, or
// "" when no route serves it. Feeds and the OPML also answer OPTIONS (the
// CORS preflight, cors).
func (s *Server) allowed(path string) string {
	segs := splitPath(path)
	var methods []string
	for _, r := range s.resources {
		if r.matches(segs) {
			for _, m := range r.methods {
				if !slices.Contains(methods, m) {
					methods = append(methods, m)
				}
			}
		}
	}
	if len(methods) == 0 {
		return ""
	}
	if anyOrigin(path) && !slices.Contains(methods, fiber.MethodOptions) {
		methods = append(methods, fiber.MethodOptions)
	}
	slices.SortFunc(methods, func(a, b string) int {
		return slices.Index(methodOrder, a) - slices.Index(methodOrder, b)
	})
	return strings.Join(methods, ", ")
}

// unrouted answers a request no route took: 405 with Allow when other
// methods serve the path (RFC 9110, 15.5.6), else 404.
func (s *Server) unrouted(c *fiber.Ctx) error {
	allow := s.allowed(c.Path())
	if allow == "" {
		page, err := s.isArticlePage(c)
		if err != nil {
			return err // the store failed: a 503, not a 404
		}
		if page {
			allow = fiber.MethodGet + ", " + fiber.MethodHead
		}
	}
	if allow != "" {
		c.Set(fiber.HeaderAllow, allow)
		return herald.Errorf(herald.EMethodNotAllowed, "%s is not allowed on %s: it answers %s", c.Method(), c.Path(), allow)
	}
	return herald.Errorf(herald.ENotFound, "nothing is served at %s", c.Path())
}

// isArticlePage reports whether the path no route took for c's method is
// an article's page (/{slug}), which answers GET and HEAD: the store is
// asked only for a one-segment path that is not a feed's (the same one
// lookup a GET of that path makes).
func (s *Server) isArticlePage(c *fiber.Ctx) (bool, error) {
	segs := splitPath(c.Path())
	if len(segs) != 1 {
		return false, nil
	}
	if _, feed := feedFile(segs[0]); feed {
		return false, nil
	}
	ctx, cancel := s.requestContext(c)
	defer cancel()
	switch _, err := s.pageArticle(ctx, segs[0]); {
	case err == nil:
		return true, nil
	case herald.IsNotFound(err):
		return false, nil
	default:
		return false, err
	}
}

// OwnSlugs are the one-segment paths Herald's own routes take besides
// feeds' files (which hold a dot, as no slug does): an article without a
// url of its own is linked at base_url + "/" + its slug, and one of these
// would link it to Herald's route instead of its page. metricsPath is the
// configured metrics path ("" when metrics are off).
// TestOwnSlugsAreTheRoutes keeps the list equal to the routes.
func OwnSlugs(metricsPath string) []string {
	own := []string{"feed", "healthz", "readyz"}
	if seg := strings.Trim(metricsPath, "/"); seg != "" && !strings.Contains(seg, "/") {
		own = append(own, seg)
	}
	return own
}
