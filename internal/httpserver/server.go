package httpserver

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/valyala/fasthttp"

	"github.com/herald-feeds/herald/internal/encode"
	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/logthrottle"
	"github.com/herald-feeds/herald/internal/service"
)

// Config is what the HTTP layer needs from configuration.
type Config struct {
	APIToken        string        // bearer token of the admin API; empty turns it off
	MaxBodyBytes    int           // request body limit (413 beyond)
	FeedMaxAge      time.Duration // Cache-Control max-age of feeds
	ArchiveMaxAge   time.Duration // Cache-Control max-age of archive pages (0: FeedMaxAge)
	RequestTimeout  time.Duration // bound on the work below one request
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	IdleTimeout     time.Duration
	DefaultPageSize int // admin list page size
	MaxPageSize     int

	Tokens          []Token       // write API tokens, besides APIToken
	APIRate         int           // write API requests per second per client; 0: unlimited
	APIBurst        int           // requests per client in a burst
	MinPollInterval time.Duration // polite polling of feeds; 0: off
	MaxHeaderBytes  int           // request line and headers (431 beyond)
	ProxyHeader     string        // header naming the client behind a trusted proxy
	TrustedProxies  []netip.Prefix
	AccessLog       bool            // one log line per request
	Observer        RequestObserver // request metrics; nil: none
	Metrics         http.Handler    // served at MetricsPath when both are set
	MetricsPath     string
	MetricsToken    bool // metrics need a write API token (read-only suffices)
	// WriteBufferSize is each connection's write buffer (fasthttp's
	// default, 4 KiB, when zero). See docs/PERFORMANCE.md for what it does
	// to large feeds.
	WriteBufferSize int
}

// maxLimiterKeys bounds the clients each rate limiter remembers.
const maxLimiterKeys = 100_000

// Server is Herald's HTTP server.
type Server struct {
	app      *fiber.App
	cfg      Config
	feeds    *service.Feeds
	articles *service.Articles
	store    herald.Store
	cache    herald.Cache
	log      *slog.Logger
	now      func() time.Time
	maxAge   []byte // precomputed Cache-Control value
	// links are the Link headers of WebSub topics (topicLink).
	linkMu sync.RWMutex
	links  map[herald.FeedKey][]byte

	archiveMaxAge []byte // Cache-Control of pages that no longer change
	dates         httpDates
	tokens        []Token
	tokenSums     []tokenDigest   // the tokens' digests, in their order (auth.go)
	resources     []resource      // every route's pattern and methods (unrouted)
	allMethods    string          // the methods some route answers, for OPTIONS *
	enc           *encode.Encoder // compresses pages and the OPML; nil sends them as they are
	apiLimiter    *limiter        // nil when off
	pollLimiter   *limiter        // nil when off
	dirDocs       dirDocs         // the index page and OPML file last made
	bodyLimit     int             // api.max_body_bytes, or Fiber's default when unset

	// failLogs throttles the log lines of failed requests, one throttle
	// per error code (a dependency that is down fails every
	// request alike); readyLog those of failed readiness checks.
	failLogs    sync.Map // herald.Code → *logthrottle.Throttle
	readyLog    *logthrottle.Throttle
	staleDocLog *logthrottle.Throttle // index or OPML served stale

	docCompressions atomic.Int64 // codings made of pages and OPML files
	lingering       atomic.Int64 // connections draining a refused body (body.go)
}

// New builds the server and its routes.
func New(cfg Config, feeds *service.Feeds, articles *service.Articles, store herald.Store, cache herald.Cache, log *slog.Logger) *Server {
	if log == nil {
		log = discardLogger()
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 10 * time.Second
	}
	if cfg.DefaultPageSize <= 0 {
		cfg.DefaultPageSize = 20
	}
	if cfg.MaxPageSize < cfg.DefaultPageSize {
		cfg.MaxPageSize = cfg.DefaultPageSize
	}
	s := &Server{cfg: cfg, feeds: feeds, articles: articles, store: store, cache: cache, log: log, now: time.Now,
		maxAge: []byte("public, max-age=" + strconv.Itoa(int(cfg.FeedMaxAge/time.Second)))}
	if cfg.ArchiveMaxAge <= 0 {
		cfg.ArchiveMaxAge = cfg.FeedMaxAge
	}
	s.cfg = cfg
	s.readyLog = logthrottle.New(logInterval)
	s.staleDocLog = logthrottle.New(logInterval)
	s.archiveMaxAge = []byte("public, max-age=" + strconv.Itoa(int(cfg.ArchiveMaxAge/time.Second)))
	if enc, err := encode.New(); err == nil {
		s.enc = enc
	} else {
		log.Warn("pages and the OPML will be sent uncompressed", "err", err)
	}
	s.tokens = append([]Token(nil), cfg.Tokens...)
	if cfg.APIToken != "" {
		s.tokens = append(s.tokens, Token{Secret: cfg.APIToken, Source: "api.token"})
	}
	s.tokenSums = tokenDigests(s.tokens)
	if cfg.APIRate > 0 {
		s.apiLimiter = newLimiter(time.Second/time.Duration(cfg.APIRate), cfg.APIBurst, maxLimiterKeys)
	}
	if cfg.MinPollInterval > 0 {
		s.pollLimiter = newLimiter(cfg.MinPollInterval, 1, maxLimiterKeys)
	}
	if cfg.MaxHeaderBytes <= 0 {
		cfg.MaxHeaderBytes = 8192
		s.cfg.MaxHeaderBytes = cfg.MaxHeaderBytes
	}
	s.app = fiber.New(fiber.Config{
		AppName:               "herald",
		DisableStartupMessage: true,
		// A 304 must not claim a Content-Type; every body sets its own.
		DisableDefaultContentType: true,
		BodyLimit:                 cfg.MaxBodyBytes,
		// Herald reads bodies itself (body.go): one over the limit is
		// answered and drained instead of reset.
		StreamRequestBody: true,
		// Nothing Herald serves takes a form; fasthttp would read a
		// multipart body of any length into temporary files before the
		// limit is checked.
		DisablePreParseMultipartForm: true,
		ReadTimeout:                  cfg.ReadTimeout,
		WriteTimeout:                 cfg.WriteTimeout,
		IdleTimeout:                  cfg.IdleTimeout,
		ReadBufferSize:               cfg.MaxHeaderBytes,
		WriteBufferSize:              cfg.WriteBufferSize,
		ErrorHandler:                 s.serverError,
		StrictRouting:                false,
		CaseSensitive:                true,
		// Route on the decoded path: the feed links Herald writes
		// percent-encode slugs beyond ASCII (/tags/stra%C3%9Fe/feed.rss),
		// and a client may encode any character (RFC 3986, 6.2.2.2).
		UnescapePath: true,
	})
	s.bodyLimit = s.app.Config().BodyLimit
	s.app.Server().ExpectHandler = s.expectContinue
	// Answers sent while the server stops say so (Connection: close), so
	// that clients do not send their next request on a closing connection.
	s.app.Server().CloseOnShutdown = true
	s.routes()
	// Fiber answers a method it does not know with a plain-text 400, and
	// fasthttp serves any HTTP version as 1.1; RFC 9110 asks for 501
	// (9.1) and 505 (15.6.6), and Herald's errors are JSON.
	routed := s.app.Server().Handler
	s.app.Server().Handler = func(ctx *fasthttp.RequestCtx) {
		// The body first, whatever the answer: one left unread past what
		// fasthttp drains would have the connection reset under the
		// client before it reads the answer (body.go).
		if ctx.Request.IsBodyStream() {
			if err := s.readBody(ctx); err != nil {
				s.refuseBody(ctx, err)
				return
			}
		}
		switch {
		case !knownMethod(ctx.Method()):
			s.refuse(ctx, herald.Errorf(herald.ENotImplemented, "this server does not implement the request's method; feeds answer GET and HEAD"))
		case !httpMajor1(ctx.Request.Header.Protocol()):
			ctx.SetConnectionClose()
			s.refuse(ctx, herald.Errorf(herald.EHTTPVersion, "this server speaks HTTP/1.1 (and 1.0)"))
		case string(ctx.RequestURI()) == "*" && string(ctx.Method()) == fiber.MethodOptions:
			s.serverOptions(ctx)
		case encodedSlash(ctx.Request.Header.RequestURI()):
			s.refuse(ctx, herald.Errorf(herald.ENotFound, "no resource here: a path segment holds an encoded slash (%%2F)"))
		default:
			routed(ctx)
		}
	}
	return s
}

// encodedSlash reports whether the path of uri, a request target, spells
// a "/" as %2F. Routing decodes the path (UnescapePath), which would turn
// it into a separator and serve a resource at a second address
// (/categories/a%2Ffeed.rss as /categories/a/feed.rss); no slug, tag or
// id holds a slash, so such a path names nothing Herald serves.
func encodedSlash(uri []byte) bool {
	for i := 0; i+2 < len(uri); i++ {
		switch uri[i] {
		case '?':
			return false
		case '%':
			if uri[i+1] == '2' && uri[i+2]|0x20 == 'f' {
				return true
			}
		}
	}
	return false
}

// httpMajor1 reports whether proto, the request line's HTTP-version, is of
// major version 1: a later minor version is answered as 1.1 (RFC 9112,
// 2.3).
func httpMajor1(proto []byte) bool {
	return len(proto) == len("HTTP/1.1") && string(proto[:7]) == "HTTP/1."
}

// knownMethod reports whether Fiber routes requests of method.
func knownMethod(method []byte) bool {
	switch string(method) {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodPost, fiber.MethodPut, fiber.MethodPatch,
		fiber.MethodDelete, fiber.MethodOptions, fiber.MethodConnect, fiber.MethodTrace:
		return true
	}
	return false
}

// refuse answers a request no route may see (an unknown method or HTTP
// version) with err, as the JSON error every other failure gets, with a
// request id, and logs and counts it as a request no route matched.
func (s *Server) refuse(ctx *fasthttp.RequestCtx, err error) {
	c := s.app.AcquireCtx(ctx)
	defer s.app.ReleaseCtx(c)
	if herr := s.observeUnrouted(c, err, unmatched); herr != nil {
		ctx.Error(herald.ErrorMessage(err), statusOf[herald.ErrorCode(err)])
	}
}

// serverOptions answers OPTIONS for the server as a whole, whose target
// is "*" (RFC 9110, 9.3.7): 204 and, in Allow, every method some path
// answers. (fasthttp refuses "*" with any other method as malformed.)
func (s *Server) serverOptions(ctx *fasthttp.RequestCtx) {
	c := s.app.AcquireCtx(ctx)
	defer s.app.ReleaseCtx(c)
	c.Set(fiber.HeaderAllow, s.allMethods)
	c.Status(fiber.StatusNoContent)
	_ = s.observeUnrouted(c, nil, "*")
}

func (s *Server) routes() {
	app := s.app
	app.Use(s.observe) // and, inside it, the feed policy and panic recovery
	app.Get("/healthz", s.healthz)
	if s.cfg.Metrics != nil && s.cfg.MetricsPath != "" {
		metrics := adaptor.HTTPHandler(s.cfg.Metrics)
		if s.cfg.MetricsToken {
			app.Get(s.cfg.MetricsPath, s.requireToken, metrics)
		} else {
			app.Get(s.cfg.MetricsPath, metrics)
		}
	}
	app.Get("/readyz", s.readyz)
	app.Get("/", s.index)
	app.Get(opmlPath, s.opml)

	// Feeds. Get also answers HEAD.
	app.Get("/feed", s.siteFeedNegotiated)
	app.Get("/:file", s.siteFeed)
	for prefix, kind := range map[string]herald.ScopeKind{
		"/categories": herald.ScopeCategory,
		"/tags":       herald.ScopeTag,
		"/authors":    herald.ScopeAuthor,
	} {
		app.Get(prefix+"/:slug/feed", s.scopeFeedNegotiated(kind))
		app.Get(prefix+"/:slug/:file", s.scopeFeed(kind))
	}

	api := app.Group("/api/v1", s.limitAPI, s.requireToken)
	api.Get("/articles", s.listArticles)
	api.Post("/articles", s.createArticle)
	api.Get("/articles/:id", checkArticleID, s.getArticle)
	api.Put("/articles/:id", checkArticleID, s.replaceArticle)
	api.Patch("/articles/:id", checkArticleID, s.patchArticle)
	api.Delete("/articles/:id", checkArticleID, s.deleteArticle)

	s.resources = newResources(app.GetRoutes(true))
	s.allMethods = allowedMethods(s.resources)
	app.Use(s.unrouted)
}

// Serve answers requests on ln until Shutdown. ln's connections must reach
// fasthttp as they are: it sends a response's header and a large body in
// one writev only to a *net.TCPConn, and a wrapped connection cost a
// quarter of the identity rate (docs/PERFORMANCE.md, swept deadlines).
func (s *Server) Serve(ln net.Listener) error { return s.app.Listener(ln) }

// Shutdown stops accepting connections and waits for in-flight requests
// until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error { return s.app.ShutdownWithContext(ctx) }

// App exposes the Fiber app to tests in this package.
func (s *Server) App() *fiber.App { return s.app }

// requestContext derives the context handed to the layers below: bounded
// by server.request_timeout, and carrying the request id for their log
// lines. (Feed reads, the hot path, do without it: see serveFeed.)
func (s *Server) requestContext(c *fiber.Ctx) (context.Context, context.CancelFunc) {
	return context.WithTimeout(herald.WithRequestID(c.UserContext(), s.requestID(c)), s.cfg.RequestTimeout)
}

func itoa(n int) string { return strconv.Itoa(n) }
