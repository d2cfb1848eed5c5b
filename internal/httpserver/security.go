package httpserver

import (
	"bytes"
	"crypto/sha256"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/herald-feeds/herald/internal/herald"
)

// Content-Security-Policy values. HTML pages may show images, audio and
// styles but run no script, submit no form elsewhere and cannot be framed;
// everything else (feeds, JSON) is a document a browser should treat as
// inert data, so it is sandboxed and loads nothing.
const (
	cspHTML  = "default-src 'none'; img-src 'self' https: data:; media-src https:; style-src 'self' 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	cspOther = "default-src 'none'; frame-ancestors 'none'; sandbox"
)

// isHTML reports whether the response's body is an HTML page.
func isHTML(h *fasthttp.ResponseHeader) bool {
	return bytes.HasPrefix(h.ContentType(), []byte("text/html"))
}

// setSecurityHeaders adds the headers every response with a body carries.
// A handler that set its own Content-Security-Policy keeps it. A 304 gets
// none of them: it has no body for them to protect, and the client keeps
// those of the response it stored (RFC 9111, section 4.3.4), so on the
// path that answers most polls they would be bytes for nothing.
func setSecurityHeaders(c *fiber.Ctx) {
	h := &c.Response().Header
	if h.StatusCode() == fiber.StatusNotModified {
		return
	}
	setHeader(h, hdrXCTO, valNosniff)
	setHeader(h, hdrXFO, valDeny)
	setHeader(h, hdrReferrer, valNoRef)
	if len(h.PeekBytes(hdrCSP)) == 0 {
		if isHTML(h) {
			setHeader(h, hdrCSP, valCSPHTML)
		} else {
			setHeader(h, hdrCSP, valCSPOther)
		}
	}
}

// isFeedPath reports whether path names a feed: /feed, /feed.EXT, and
// /{categories,tags,authors}/SLUG/feed[.EXT].
func isFeedPath(path string) bool {
	// Cut rather than Split: this runs on every request, and must not
	// allocate on the feed path (docs/PERFORMANCE.md).
	isFeed := func(s string) bool { return s == "feed" || strings.HasPrefix(s, "feed.") }
	// A trailing slash reaches the same route (StrictRouting is off), so
	// it is the same feed.
	path = strings.TrimSuffix(path, "/")
	first, rest, more := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if !more {
		return isFeed(first)
	}
	switch first {
	case "categories", "tags", "authors":
		_, last, ok := strings.Cut(rest, "/")
		return ok && !strings.Contains(last, "/") && isFeed(last)
	}
	return false
}

// feedPolicy applies what only feeds get: CORS, so that readers running
// in a browser can fetch them from any origin and see their validators,
// and the polite-polling rule. The write API gets no CORS headers at all,
// so a browser refuses cross-origin calls to it. answered is true when it
// answered the request itself (a CORS preflight); otherwise, and when err
// is nil, the route comes next; key and spent are politePolling's.
func (s *Server) feedPolicy(c *fiber.Ctx) (answered bool, key string, spent bool, err error) {
	h := &c.Response().Header
	setHeader(h, hdrACAO, valAny)
	if c.Method() == fiber.MethodOptions {
		// Preflight: If-None-Match and If-Modified-Since are not
		// CORS-safelisted, so a conditional fetch from a page asks first.
		// A path whose GET is a 404 (a file name or slug no feed has) is
		// a 404 here too.
		if s.patternOf(c.Path()) == unmatched {
			return true, "", false, herald.Errorf(herald.ENotFound, "nothing is served at %s", c.Path())
		}
		h.Set(fiber.HeaderAccessControlAllowMethods, "GET, HEAD")
		h.Set(fiber.HeaderAccessControlAllowHeaders, "If-None-Match, If-Modified-Since, Accept")
		h.Set(fiber.HeaderAccessControlMaxAge, "86400")
		h.Set(fiber.HeaderAllow, "GET, HEAD, OPTIONS")
		return true, "", false, c.SendStatus(fiber.StatusNoContent)
	}
	setHeader(h, hdrACEH, valExposed)
	key, spent, err = s.politePolling(c)
	return false, key, spent, err
}

// politePolling refuses a client that fetches the same feed document again
// sooner than feed.min_poll_interval without the validators it was sent:
// a reader that sends back the If-None-Match or If-Modified-Since of its
// last answer costs a 304 (or gets the feed if it changed) and is never
// refused; one that downloads the whole feed every few seconds, with no
// validators or made-up ones, is told when to come back. A document is
// what pollDocument names: the pages of a feed's history (?page=N) and
// other limits are documents of their own, which a client walking them
// has never fetched, and /feed in each format Accept negotiates is a
// document of its own, while a query parameter the feed does not read
// makes none. A HEAD downloads nothing and is never counted, nor is a
// browser's request for the feed's HTML view, and neither is an answer
// other than a feed's 200 (a feed that does not exist yet, a bad
// parameter, a 304). Nor is any method but GET: a POST to a feed is a
// 405 whatever came before it. key is the request's key in the
// limiter, for fetched to record the answer; spent says whether this
// request has spent the key's allowance already.
func (s *Server) politePolling(c *fiber.Ctx) (key string, spent bool, err error) {
	if s.pollLimiter == nil || c.Method() != fiber.MethodGet || viewsInBrowser(c) {
		return "", false, nil
	}
	doc, valid := s.pollDocument(c)
	if !valid {
		return "", false, nil
	}
	key = s.limitedClient(c) + " " + doc
	cond := herald.ParseCondition(c.Get(fiber.HeaderIfNoneMatch), c.Get(fiber.HeaderIfModifiedSince))
	var (
		ok   bool
		wait time.Duration
		why  string
	)
	if cond != nil {
		ok, wait = s.pollLimiter.allowHolding(key, s.now(), cond)
		why = "sent to this client less than %s ago, and If-None-Match or If-Modified-Since do not name that answer"
	} else {
		ok, wait = s.pollLimiter.allow(key, s.now())
		spent = true
		why = "fetched less than %s ago without If-None-Match or If-Modified-Since"
	}
	if ok {
		return key, spent, nil
	}
	c.Set(fiber.HeaderRetryAfter, retryAfter(wait))
	return "", false, herald.Errorf(herald.ERateLimited,
		"this feed was "+why+"; send the validators of the last response, or retry in %s seconds",
		s.cfg.MinPollInterval, retryAfter(wait))
}

// pollDocument names the feed document a request fetches, for polite
// polling: its path; the limit and the page as the feed reads them, so
// that a missing limit is the default one and ?limit=05 is ?limit=5; and
// for /feed the format Accept negotiates, since two readers behind one
// address asking for different formats must not hold each other back.
// Any other query parameter changes nothing served, so it makes no other
// document. The name is a digest: its size does not follow the request's,
// however long the path. ok is false when limit or page is invalid: the
// feed answers 400, which is no fetch.
func (s *Server) pollDocument(c *fiber.Ctx) (doc string, ok bool) {
	limit, err := s.limitParam(c)
	if err != nil {
		return "", false
	}
	page, err := pageParam(c)
	if err != nil {
		return "", false
	}
	path := strings.TrimSuffix(c.Path(), "/")
	// On the stack for any usual path (a longer one makes append allocate).
	var buf [256]byte
	b := append(buf[:0], path...)
	b = strconv.AppendInt(append(b, 0), int64(limit), 10)
	b = strconv.AppendInt(append(b, 0), int64(page), 10)
	if strings.HasSuffix(path, "/feed") {
		b = append(append(b, 0), negotiateFormat(headerList(c, fiber.HeaderAccept))...)
	}
	sum := sha256.Sum256(b)
	// Half the digest is plenty to tell one client's documents apart.
	return string(sum[:sha256.Size/2]), true
}

// viewsInBrowser reports whether a feed request will be answered with the
// feed's HTML view (serveFeed's prefersHTML), which a person may reload at
// will and which is neither counted nor refused.
func viewsInBrowser(c *fiber.Ctx) bool {
	return prefersHTML(headerList(c, fiber.HeaderAccept))
}

// fetched settles a feed request politePolling let through under key:
// a feed's 200 is a fetch, recorded with the validators it carried; any
// other answer gives back what the request spent.
func (s *Server) fetched(c *fiber.Ctx, key string, spent bool, err error) {
	h := &c.Response().Header
	if err != nil || c.Response().StatusCode() != fiber.StatusOK || isHTML(h) {
		if spent {
			s.pollLimiter.refund(key, s.now())
		}
		return
	}
	var lastModified time.Time
	if lm := h.Peek(fiber.HeaderLastModified); len(lm) > 0 {
		lastModified, _ = http.ParseTime(string(lm))
	}
	s.pollLimiter.record(key, s.now(), spent, identityTag(h.Peek(fiber.HeaderETag), h.Peek(fiber.HeaderContentEncoding)), lastModified)
}

// identityTag is the tag of the identity coding a response's ETag tag was
// made from (appendETag), given its Content-Encoding coding.
func identityTag(tag, coding []byte) string {
	if suffix := "-" + string(coding) + `"`; len(coding) > 0 && strings.HasSuffix(string(tag), suffix) {
		return string(tag[:len(tag)-len(suffix)]) + `"`
	}
	return string(tag)
}
