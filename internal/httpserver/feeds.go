package httpserver

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/text/unicode/norm"

	"github.com/herald-feeds/herald/internal/herald"
)

// siteFeed serves /feed.rss, /feed.atom and /feed.json.
func (s *Server) siteFeed(c *fiber.Ctx) error {
	f, ok := feedFile(c.Params("file"))
	if !ok {
		return s.serveArticlePage(c, strings.Clone(c.Params("file")))
	}
	return s.serveFeed(c, herald.SiteScope, f, false)
}

// siteFeedNegotiated serves /feed in the format the Accept header prefers.
func (s *Server) siteFeedNegotiated(c *fiber.Ctx) error {
	return s.serveFeed(c, herald.SiteScope, negotiateFormat(b2s(readFeedHeaders(c).accept)), true)
}

func (s *Server) scopeFeed(kind herald.ScopeKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		f, ok := feedFile(c.Params("file"))
		if !ok {
			return herald.Errorf(herald.ENotFound, "nothing is served at %s", c.Path())
		}
		scope, err := scopeParam(c, kind)
		if err != nil {
			return err
		}
		return s.serveFeed(c, scope, f, false)
	}
}

func (s *Server) scopeFeedNegotiated(kind herald.ScopeKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		scope, err := scopeParam(c, kind)
		if err != nil {
			return err
		}
		// The header's bytes, borrowed: negotiateFormat keeps nothing.
		return s.serveFeed(c, scope, negotiateFormat(b2s(readFeedHeaders(c).accept)), true)
	}
}

// scopeParam reads the slug and copies it: it outlives the handler as
// part of the cache key and singleflight key.
func scopeParam(c *fiber.Ctx, kind herald.ScopeKind) (herald.Scope, error) {
	slug := strings.Clone(c.Params("slug"))
	if herald.Slugify(slug) != slug || slug == "" {
		// The same slug spelled in decomposed Unicode (as a URL typed or
		// pasted on some systems comes): the feed is at its NFC spelling.
		if nfc, ok := nfcSlug(slug); ok {
			parts := strings.Split(c.Path(), "/")
			for i, p := range parts {
				if p == slug {
					parts[i] = url.PathEscape(nfc)
					break
				}
			}
			to := strings.Join(parts, "/")
			if q := c.Request().URI().QueryString(); len(q) > 0 {
				to += "?" + string(q)
			}
			return herald.Scope{}, movedTo(to)
		}
		// Not a slug we could ever have derived: no such feed.
		return herald.Scope{}, herald.Errorf(herald.ENotFound, "no feed for %s %q", kind, slug)
	}
	return herald.Scope{Kind: kind, Slug: slug}, nil
}

// nfcSlug is slug, a path segment that is not a slug as written, in
// Unicode normalization form C, when that is one: a URL typed or pasted
// on some systems comes decomposed, and is redirected to this spelling.
func nfcSlug(slug string) (string, bool) {
	nfc := norm.NFC.String(slug)
	return nfc, nfc != slug && nfc != "" && herald.Slugify(nfc) == nfc
}

// movedTo is the error of a request for a resource that lives at another
// path of this server: the error handler answers 301 with it as Location.
type movedTo string

func (m movedTo) Error() string { return "moved permanently to " + string(m) }

func feedFile(file string) (herald.Format, bool) {
	ext, ok := strings.CutPrefix(file, "feed.")
	if !ok {
		return "", false
	}
	return herald.ParseFormat(ext)
}

// serveFeed answers a feed request with RFC 9110 conditional semantics:
// If-Match, else If-Unmodified-Since, must hold or the answer is 412;
// then If-None-Match decides when present, else If-Modified-Since; a 304
// repeats the validators, Cache-Control and Vary. HEAD gets the headers
// of the GET without the body (fasthttp drops the body for HEAD). The body
// is the stored variant for the request's Accept-Encoding, with its own
// ETag (the identity tag plus a suffix, which revalidates any variant).
func (s *Server) serveFeed(c *fiber.Ctx, scope herald.Scope, f herald.Format, negotiated bool) error {
	c.Locals(formatKey, formatLocal(f))
	limit, err := s.limitParam(c)
	if err != nil {
		return err
	}
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	key := herald.FeedKey{Scope: scope, Format: f, Offset: page, Limit: limit}
	rh := readFeedHeaders(c)
	if prefersHTML(b2s(rh.accept)) {
		return s.serveFeedHTML(c, key)
	}
	// The condition comes from a pool and borrows the header bytes: it
	// must not outlive this handler, and nothing below keeps it.
	cond := condPool.Get().(*herald.Condition)
	defer condPool.Put(cond)
	condOrNil := cond
	if !cond.Parse(b2s(rh.ifNoneMatch), b2s(rh.ifModifiedSince)) {
		condOrNil = nil
	}
	coding := acceptCoding(rh.acceptEncoding)
	// No per-request deadline here, unlike the admin API: every wait below
	// is already bounded (each Redis call by redis.timeout, a render by the
	// render timeout, server.request_timeout), and a deadline costs four
	// allocations on a path that otherwise makes none.
	res, err := s.feeds.GetCoded(c.UserContext(), key, condOrNil, coding)
	if err != nil {
		return err
	}
	if (rh.ifMatch != nil || rh.ifUnmodifiedSince != nil) &&
		!herald.PreconditionHolds(b2s(rh.ifMatch), b2s(rh.ifUnmodifiedSince), res.Entry.ETag, res.Entry.LastModified) {
		return herald.Errorf(herald.EPrecondition, "the feed is no longer the representation If-Match or If-Unmodified-Since names; GET it without them for the current one")
	}
	body, used := res.Entry.Coded(coding)
	if res.NotModified {
		// No bytes came with the 304; its tag is that of the coding the
		// 200 would have used.
		used = coding
	}
	// Headers are built in stack buffers from canonical names (headers.go):
	// this path runs for every poll.
	var buf [96]byte
	h := &c.Response().Header
	tag := appendETag(buf[:0], res.Entry.ETag, used)
	if res.NotModified {
		// The tag the client holds, when it matched through another
		// coding's: a cache refreshes the response it names.
		if held, ok := condOrNil.EchoTag(tag, res.Entry.ETag); ok {
			tag = append(buf[:0], held...)
		}
	}
	setHeader(h, hdrETag, tag)
	// Last-Modified has whole seconds: a feed changed in the current second
	// may change again within it, and a client holding that second as its
	// If-Modified-Since would then get a 304 for the newer feed. So it is
	// sent only once its second is over (RFC 9110, 8.8.2.2); until then the
	// ETag alone validates. (Zero: an empty site nobody has written to yet.)
	now := s.now()
	if lm := res.Entry.LastModified; !lm.IsZero() && lm.Unix() < now.Unix() {
		setHeader(h, hdrLastModified, s.dates.appendHTTPDate(buf[:0], lm))
	}
	if res.Entry.Archive {
		setHeader(h, hdrCacheControl, s.archiveMaxAge)
	} else {
		setHeader(h, hdrCacheControl, s.cacheControl(buf[:0], res.Entry.Due, now))
	}
	// Every feed URL answers browsers with HTML (Accept: text/html), so
	// every feed response varies by Accept, negotiated or not.
	setHeader(h, hdrVary, valVary)
	if res.NotModified {
		c.Status(fiber.StatusNotModified)
		return nil
	}
	h.SetContentType(res.Entry.ContentType)
	if used != herald.CodingIdentity {
		setHeader(h, hdrContentEnc, codingValue(used))
	}
	if link := s.topicLink(key); link != nil {
		setHeader(h, hdrLink, link)
	}
	// The entry's bytes are immutable and shared: hand them to fasthttp
	// without a copy. They were compressed once, when rendered.
	c.Response().SetBodyRaw(body)
	return nil
}

// cacheControl is the Cache-Control of a feed or page that changes on its
// own at due (zero: only with a write), appended to buf when it is not the
// usual one: when a scheduled article appears sooner than feed.max_age,
// no cache in front may keep the response past that moment.
func (s *Server) cacheControl(buf []byte, due, now time.Time) []byte {
	if due.IsZero() || !due.Before(now.Add(s.cfg.FeedMaxAge)) {
		return s.maxAge
	}
	left := max(0, int64((due.Sub(now)+time.Second-1)/time.Second))
	return strconv.AppendInt(append(buf, "public, max-age="...), left, 10)
}

// feedHeaders are the request headers a feed answer depends on, borrowed
// from the request's buffers: valid until the handler returns.
type feedHeaders struct {
	accept, acceptEncoding, ifNoneMatch, ifModifiedSince []byte
	ifMatch, ifUnmodifiedSince                           []byte
}

// readFeedHeaders picks the feed's request headers in one pass over the
// request's headers, instead of a lookup per header (each of which copies
// and normalises the name, then scans every header). fasthttp has already
// normalised the names it parsed, so they compare exactly. A header sent
// on several lines is one list of its values joined by commas (RFC 9110,
// 5.3): only then is a copy made (and a date so joined is invalid, and
// ignored).
func readFeedHeaders(c *fiber.Ctx) (rh feedHeaders) {
	c.Request().Header.VisitAll(func(k, v []byte) {
		var dst *[]byte
		switch string(k) {
		case fiber.HeaderAccept:
			dst = &rh.accept
		case fiber.HeaderAcceptEncoding:
			dst = &rh.acceptEncoding
		case fiber.HeaderIfNoneMatch:
			dst = &rh.ifNoneMatch
		case fiber.HeaderIfModifiedSince:
			dst = &rh.ifModifiedSince
		case fiber.HeaderIfMatch:
			dst = &rh.ifMatch
		case fiber.HeaderIfUnmodifiedSince:
			dst = &rh.ifUnmodifiedSince
		default:
			return
		}
		if *dst == nil {
			*dst = v
		} else {
			*dst = append(append(append(make([]byte, 0, len(*dst)+2+len(v)), *dst...), ", "...), v...)
		}
	})
	return rh
}

// headerList is the header name, its lines joined by commas when it comes
// on several (RFC 9110, 5.3). Names compare without regard to case.
func headerList(c *fiber.Ctx, name string) string {
	var joined []byte
	lines := 0
	c.Request().Header.VisitAll(func(k, v []byte) {
		if !strings.EqualFold(b2s(k), name) {
			return
		}
		if lines > 0 {
			joined = append(joined, ", "...)
		}
		joined = append(joined, v...)
		lines++
	})
	return string(joined)
}

// b2s views b as a string without copying; the string must not outlive
// b's buffer.
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// condPool recycles parsed conditions (and their ETags slices) across
// feed requests.
var condPool = sync.Pool{New: func() any { return new(herald.Condition) }}

// limitParam reads ?limit=, which must be an integer within bounds.
func (s *Server) limitParam(c *fiber.Ctx) (int, error) {
	args := c.Context().QueryArgs()
	if !args.Has("limit") {
		return s.feeds.Limit(0, false)
	}
	n, err := strconv.Atoi(string(args.Peek("limit")))
	if errors.Is(err, strconv.ErrRange) { // an integer, far out of range
		n, err = -1, nil
	}
	if err != nil {
		return 0, herald.FieldError(herald.EBadRequest, "limit", "limit must be an integer")
	}
	return s.feeds.Limit(n, true)
}

// formatLocal is f as the string the request observer reads, converted
// from constants so that storing it in an interface does not allocate.
func formatLocal(f herald.Format) any {
	switch f {
	case herald.FormatRSS:
		return string(herald.FormatRSS)
	case herald.FormatAtom:
		return string(herald.FormatAtom)
	case herald.FormatJSON:
		return string(herald.FormatJSON)
	}
	return string(f)
}

// topicLink is the Link header of a 200 of a WebSub topic (with
// websub.hubs): the hubs and the topic's own URL, the discovery WebSub
// asks publishers for first, and the only one a JSON Feed has besides its
// own hubs member. Nil for any other document. Each topic's value is made
// once; only documents that were served get one, so the map grows with
// the scopes that exist, not with the paths asked for.
func (s *Server) topicLink(k herald.FeedKey) []byte {
	site := s.feeds.Site()
	if !site.IsTopic(k) {
		return nil
	}
	s.linkMu.RLock()
	v, ok := s.links[k]
	s.linkMu.RUnlock()
	if ok {
		return v
	}
	for _, hub := range site.Hubs {
		v = append(v, '<')
		v = append(v, hub...)
		v = append(v, `>; rel="hub", `...)
	}
	v = append(v, '<')
	v = append(v, site.FeedURL(k)...)
	v = append(v, `>; rel="self"`...)
	s.linkMu.Lock()
	if s.links == nil {
		s.links = map[herald.FeedKey][]byte{}
	}
	s.links[k] = v
	s.linkMu.Unlock()
	return v
}
