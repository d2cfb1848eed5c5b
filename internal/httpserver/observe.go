package httpserver

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/herald-feeds/herald/internal/herald"
)

// Locals keys set by handlers for the access log and metrics.
const (
	formatKey = "herald.format"
	// unreadKey marks a request fasthttp refused before it could read
	// its request line and headers: its method and path are unknown.
	unreadKey = "herald.unread"
)

// siteFileRoute is the route of /feed.rss and its siblings and of
// article pages (/{slug}): a 404 there is a path nothing serves, counted
// as unmatched like any other.
const siteFileRoute = "/:file"

// RequestObserver receives every answered request, for metrics. Route is
// the matched route pattern (bounded, unlike paths), format the feed
// format or "".
type RequestObserver interface {
	ObserveRequest(route, format string, status int, elapsed time.Duration)
}

// requestID returns the request's id, giving it one first if it has none
// (see setRequestID). It allocates, so it is for log lines only.
func (s *Server) requestID(c *fiber.Ctx) string {
	id := c.Response().Header.PeekBytes(hdrRequestID)
	if len(id) == 0 {
		setRequestID(c)
		id = c.Response().Header.PeekBytes(hdrRequestID)
	}
	return string(id)
}

// setRequestID gives the response its X-Request-ID: the client's when it
// is sane (1 to 128 letters, digits and -_.:), else a fresh one. Anything
// else a client sends is dropped rather than echoed, so an id can never
// smuggle a line break or a second header into the response. Fresh ids are
// this process's random prefix, the connection's number and the request's
// number on it: unique across replicas without a random read per request,
// and built without allocating. The response header is where the id
// lives; requestID reads it back.
func setRequestID(c *fiber.Ctx) {
	h := &c.Response().Header
	if in := c.Request().Header.PeekBytes(hdrRequestID); saneRequestID(in) {
		setHeader(h, hdrRequestID, in)
		return
	}
	var buf [48]byte
	id := append(buf[:0], idPrefix...)
	id = append(id, '-')
	if conn := c.Context().ConnID(); conn != 0 {
		// The connection's number (fasthttp's, unique in the process) and
		// the request's on it: no counter shared by every request, whose
		// cache line the cores would pass back and forth.
		id = strconv.AppendUint(id, conn, 36)
		id = append(id, '.')
		id = strconv.AppendUint(id, c.Context().ConnRequestNum(), 36)
	} else { // a RequestCtx not served by fasthttp's server
		id = strconv.AppendUint(id, idCounter.Add(1), 36)
	}
	setHeader(h, hdrRequestID, id)
}

var (
	idPrefix = func() string {
		var b [6]byte
		_, _ = rand.Read(b[:]) // never fails on Linux; it panics rather than err since Go 1.24
		return hex.EncodeToString(b[:])
	}()
	idCounter atomic.Uint64
)

func saneRequestID(id []byte) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		b := id[i]
		if !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '-' || b == '_' || b == '.' || b == ':') {
			return false
		}
	}
	return true
}

// observe is the outermost middleware, the one every request passes: it
// gives the request its id, runs the rest (route), turns a returned error
// or a panic into its response here (so the status is final when it is
// logged and counted), adds the security headers, and writes the access
// log line and the request metrics.
func (s *Server) observe(c *fiber.Ctx) error {
	start := requestStart(c)
	setRequestID(c)
	return s.finish(c, start, s.route(c), "")
}

// requestStart is when c's request began. fasthttp reads the clock just
// before calling the handler; reading it again would cost a clock read
// per request for nothing.
func requestStart(c *fiber.Ctx) time.Time {
	if start := c.Context().Time(); !start.IsZero() {
		return start
	}
	return time.Now() // a RequestCtx not served by fasthttp's server
}

// observeUnrouted gives a request that no route sees (route names it)
// its request id, answers err when there is one, and logs and counts it,
// as observe does for routed requests.
func (s *Server) observeUnrouted(c *fiber.Ctx, err error, route string) error {
	setRequestID(c)
	return s.finish(c, requestStart(c), err, route)
}

// finish answers err, when there is one, as its JSON error, adds the
// security headers, and writes the access log line and the request
// metrics of a request that started at start; route names the route for
// a request no route saw, else it is read from c.
func (s *Server) finish(c *fiber.Ctx, start time.Time, err error, route string) error {
	if err != nil {
		if herr := s.errorHandler(c, err); herr != nil {
			return herr
		}
	}
	setSecurityHeaders(c)
	status := c.Response().StatusCode()
	elapsed := time.Since(start)
	format, _ := c.Locals(formatKey).(string)
	if route == "" {
		route = s.routeOf(c)
		if route == siteFileRoute && status == fiber.StatusNotFound {
			route = unmatched
		}
	}
	if s.cfg.Observer != nil {
		s.cfg.Observer.ObserveRequest(route, format, status, elapsed)
	}
	// Check the level first: building the line's attributes costs more than
	// the rest of a cached 304, and at level warn nobody reads it.
	if s.cfg.AccessLog && s.log.Enabled(c.UserContext(), slog.LevelInfo) {
		method, uri := c.Method(), c.OriginalURL()
		if c.Locals(unreadKey) != nil {
			method, uri = "-", "-" // not "GET /", fasthttp's defaults
		}
		attrs := [...]slog.Attr{
			slog.String("request_id", s.requestID(c)),
			slog.String("method", method),
			slog.String("uri", uri),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Int("bytes", len(c.Response().Body())),
			slog.Duration("duration", elapsed),
			slog.String("client", s.client(c)),
			{}, // token, on requests that presented one
		}
		n := len(attrs) - 1
		if tok := c.Locals(tokenKey); tok != nil {
			// Where the token was configured, never the token.
			attrs[n], n = slog.Any("token", tok), n+1
		}
		s.log.LogAttrs(c.UserContext(), slog.LevelInfo, "request", attrs[:n]...)
	}
	return nil
}

// route runs what follows observe: the feed policy on feed paths, then
// the matched route, with a panic below turned into an error (a bare 500,
// logged with its stack). These are plain calls rather than middleware of
// their own: every Fiber middleware step walks the route table again, and
// on a cached 304 those walks were a measurable part of the request.
func (s *Server) route(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	if to, ok := withoutTrailingSlash(c); ok {
		if anyOrigin(strings.TrimRight(c.Path(), "/")) {
			// A page reading the feed from another origin follows the
			// redirect only if it may (the Fetch standard's CORS check).
			setHeader(&c.Response().Header, hdrACAO, valAny)
		}
		return movedTo(to)
	}
	if isFeedPath(c.Path()) {
		answered, poll, err := s.feedPolicy(c)
		if answered || err != nil {
			return err
		}
		err = c.Next()
		// Only a feed's 200 is a fetch: not an error, nor the HTML view a
		// browser gets, which a person may reload at will.
		if poll.counted {
			s.fetched(c, poll, err)
		}
		return err
	}
	if c.Path() == opmlPath {
		if answered, err := s.cors(c); answered {
			return err
		}
	}
	return c.Next()
}

// withoutTrailingSlash is where a GET or HEAD whose path ends in a slash
// (other than "/") is sent: the same path without it, query kept. The
// router ignores a trailing slash, so "/feed.rss/" would otherwise serve
// the feed under a second URL, which caches, polite polling and readers'
// subscriptions all count apart; a 301 makes readers keep the one URL.
// Other methods are served where they are, as they always were: a client
// of the write API would not follow a redirect of its PUT. The write API
// serves its GETs with or without the slash too: its clients are programs
// that name paths as they are written, and a redirect answered before
// the token is checked would be a public, cacheable answer. A path whose
// second byte is a slash or backslash is left alone, since "//host" in a
// Location is another site to a browser.
func withoutTrailingSlash(c *fiber.Ctx) (string, bool) {
	if m := c.Method(); m != fiber.MethodGet && m != fiber.MethodHead {
		return "", false
	}
	uri := c.Request().URI()
	p := uri.PathOriginal()
	// The route is chosen by the decoded path: /%61pi/ is the API too.
	if len(p) < 2 || p[len(p)-1] != '/' || strings.HasPrefix(c.Path(), apiPrefix) {
		return "", false
	}
	p = bytes.TrimRight(p, "/")
	if len(p) < 2 || p[1] == '/' || p[1] == '\\' {
		return "", false
	}
	to := string(p)
	if q := uri.QueryString(); len(q) > 0 {
		to += "?" + string(q)
	}
	// Raw UTF-8 or bytes no URI holds, as a client may send them, are
	// percent-encoded as article URLs are: the Location is ASCII.
	return herald.EscapeURIPart(to), true
}

// apiPrefix starts every write API path.
const apiPrefix = "/api/"

// unmatched is the route of requests to a path nothing serves and of
// those refused before any route is looked at.
const unmatched = "unmatched"

// routeOf is the matched route pattern. A request no route took (a CORS
// preflight, a 405) is reported under the pattern of the resource its
// path names, and one whose path no route serves (a 404) as "unmatched":
// never by its path, to keep metrics bounded.
func (s *Server) routeOf(c *fiber.Ctx) string {
	r := c.Route()
	// A middleware (Use, or a group's handlers: the write API's rate
	// limit and token check) reports its mount point, a prefix, for any
	// request it ended: "/" for the catch-all 404, "/api/v1" for a 401. A
	// route without parameters whose path is not the request's is one.
	if r == nil || len(r.Params) == 0 && r.Path != c.Path() && r.Path != strings.TrimSuffix(c.Path(), "/") {
		return s.patternOf(c.Path())
	}
	return r.Path
}

// serverError answers an error Fiber raises outside the routes: one
// fasthttp met reading the request (408, 413, 431, a malformed request),
// which gets its request id, access log line and count like every other
// request, or, from a request observe already handled, the error its
// own handling failed with.
func (s *Server) serverError(c *fiber.Ctx, err error) error {
	if len(c.Response().Header.PeekBytes(hdrRequestID)) > 0 { // observe ran
		return s.errorHandler(c, err)
	}
	if len(c.Request().Header.RawHeaders()) == 0 {
		c.Locals(unreadKey, true)
	}
	return s.observeUnrouted(c, err, unmatched)
}
