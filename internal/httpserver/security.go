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

// opmlPath is the subscription list's path: a browser-based reader
// imports it from its own origin, so it is readable from any, like feeds.
const opmlPath = "/feeds.opml"

// anyOrigin reports whether path is a document any origin may read (CORS):
// a feed or the subscription list. Neither answers a credential.
func anyOrigin(path string) bool { return isFeedPath(path) || path == opmlPath }

// feedPolicy applies what only feeds get: CORS (cors), and the
// polite-polling rule. answered is true when it answered the request
// itself (a CORS preflight); otherwise, and when err is nil, the route
// comes next; poll is politePolling's.
func (s *Server) feedPolicy(c *fiber.Ctx) (answered bool, poll polled, err error) {
	if answered, err = s.cors(c); answered {
		return true, polled{}, err
	}
	poll, err = s.politePolling(c)
	return false, poll, err
}

// cors lets readers running in a browser fetch a document anyOrigin names
// from any origin and see its validators and its hubs (Link): it answers
// a CORS preflight itself (answered), and otherwise adds the headers to
// the answer the route gives. The write API gets no CORS headers at all,
// so a browser refuses cross-origin calls to it.
func (s *Server) cors(c *fiber.Ctx) (answered bool, err error) {
	h := &c.Response().Header
	setHeader(h, hdrACAO, valAny)
	if c.Method() == fiber.MethodOptions {
		// Preflight: the precondition headers are not CORS-safelisted, so
		// a conditional fetch from a page asks first; so does one that
		// sets Cache-Control. A path whose GET is a 404 (a file name or
		// slug no feed has) is a 404 here too.
		if s.patternOf(c.Path()) == unmatched {
			return true, herald.Errorf(herald.ENotFound, "nothing is served at %s", c.Path())
		}
		h.Set(fiber.HeaderAccessControlAllowMethods, "GET, HEAD")
		h.Set(fiber.HeaderAccessControlAllowHeaders, "If-None-Match, If-Modified-Since, If-Match, If-Unmodified-Since, Accept, Cache-Control")
		h.Set(fiber.HeaderAccessControlMaxAge, "86400")
		h.Set(fiber.HeaderAllow, "GET, HEAD, OPTIONS")
		return true, c.SendStatus(fiber.StatusNoContent)
	}
	setHeader(h, hdrACEH, valExposed)
	return false, nil
}

// polled is a feed request politePolling let through and counts, for
// fetched to settle: its key in the limiter, and whether it has spent the
// key's allowance already. It is zero (counted false) for a request that
// is not counted.
type polled struct {
	key     limitKey
	counted bool
	spent   bool
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
// 405 whatever came before it. poll is what fetched settles.
//
// This runs on every feed poll while the rule is on, and allocates
// nothing unless it refuses: the key is a fixed-size digest, the client
// is read as an address, and the condition is a pooled one.
func (s *Server) politePolling(c *fiber.Ctx) (poll polled, err error) {
	if s.pollLimiter == nil || c.Method() != fiber.MethodGet {
		return polled{}, nil
	}
	// Borrowed from the request's buffers, like the condition below:
	// neither outlives this call. The validators are read as serveFeed
	// reads them, every line of a header joined, so that a tag the feed
	// would answer 304 is never refused here.
	rh := readFeedHeaders(c)
	accept := b2s(rh.accept)
	if viewsInBrowser(accept) {
		return polled{}, nil
	}
	key, valid := s.pollKey(c, accept)
	if !valid {
		return polled{}, nil
	}
	cond := condPool.Get().(*herald.Condition)
	defer condPool.Put(cond)
	var (
		ok    bool
		wait  time.Duration
		why   string
		spent bool
	)
	if cond.Parse(b2s(rh.ifNoneMatch), b2s(rh.ifModifiedSince)) {
		ok, wait = s.pollLimiter.allowHolding(key, s.now(), cond)
		why = "sent to this client less than %s ago, and If-None-Match or If-Modified-Since do not name that answer"
	} else {
		ok, wait = s.pollLimiter.allow(key, s.now())
		spent = true
		why = "fetched less than %s ago without If-None-Match or If-Modified-Since"
	}
	if ok {
		return polled{key: key, counted: true, spent: spent}, nil
	}
	c.Set(fiber.HeaderRetryAfter, retryAfter(wait))
	return polled{}, herald.Errorf(herald.ERateLimited,
		"this feed was "+why+"; send the validators of the last response, or retry in %s seconds",
		s.cfg.MinPollInterval, retryAfter(wait))
}

// pollKey is the key in the poll limiter of the request's client
// (limitedClient) and the feed document it fetches: its path; the limit
// and the page as the feed reads them, so that a missing limit is the
// default one and ?limit=05 is ?limit=5; and for /feed the format Accept
// negotiates, since two readers behind one address asking for different
// formats must not hold each other back.
// Any other query parameter changes nothing served, so it makes no other
// document. accept is the request's Accept. The key is a digest of the
// client's key and the document: its size does not follow the request's,
// however long the path. ok is false when limit or page is invalid: the
// feed answers 400, which is no fetch.
func (s *Server) pollKey(c *fiber.Ctx, accept string) (key limitKey, ok bool) {
	limit, err := s.limitParam(c)
	if err != nil {
		return limitKey{}, false
	}
	page, err := pageParam(c)
	if err != nil {
		return limitKey{}, false
	}
	path := strings.TrimSuffix(c.Path(), "/")
	client := s.limitedClient(c)
	// On the stack for any usual path (a longer one makes append
	// allocate). The client's key has a fixed size: nothing of the path
	// can pass for it.
	var buf [320]byte
	b := append(buf[:0], client[:]...)
	b = append(b, path...)
	b = strconv.AppendInt(append(b, 0), int64(limit), 10)
	b = strconv.AppendInt(append(b, 0), int64(page), 10)
	if strings.HasSuffix(path, "/feed") {
		b = append(append(b, 0), negotiateFormat(accept)...)
	}
	sum := sha256.Sum256(b)
	// Half the digest is plenty to tell the documents of every client
	// apart: the table holds at most maxLimiterKeys of them.
	return limitKey(sum[:len(key)]), true
}

// viewsInBrowser reports whether a feed request with this Accept will be
// answered with the feed's HTML view (serveFeed's prefersHTML), which a
// person may reload at will and which is neither counted nor refused.
func viewsInBrowser(accept string) bool {
	return prefersHTML(accept)
}

// fetched settles a feed request politePolling let through (poll): a
// feed's 200 is a fetch, recorded with the validators it carried; any
// other answer gives back what the request spent.
func (s *Server) fetched(c *fiber.Ctx, poll polled, err error) {
	h := &c.Response().Header
	if err != nil || c.Response().StatusCode() != fiber.StatusOK || isHTML(h) {
		if poll.spent {
			s.pollLimiter.refund(poll.key, s.now())
		}
		return
	}
	var lastModified time.Time
	if lm := h.Peek(fiber.HeaderLastModified); len(lm) > 0 {
		// Borrowed: ParseTime keeps nothing of it.
		lastModified, _ = http.ParseTime(b2s(lm))
	}
	var buf [96]byte
	tag := appendIdentityTag(buf[:0], h.Peek(fiber.HeaderETag), h.Peek(fiber.HeaderContentEncoding))
	s.pollLimiter.record(poll.key, s.now(), poll.spent, tag, lastModified)
}

// appendIdentityTag appends to dst the tag of the identity coding a
// response's ETag tag was made from (appendETag), given its
// Content-Encoding coding: tag without the suffix "-" coding, when it
// has it.
func appendIdentityTag(dst, tag, coding []byte) []byte {
	if n := len(tag) - len(coding) - 2; len(coding) > 0 && n >= 0 &&
		tag[n] == '-' && bytes.Equal(tag[n+1:len(tag)-1], coding) && tag[len(tag)-1] == '"' {
		return append(append(dst, tag[:n]...), '"')
	}
	return append(dst, tag...)
}
