package httpserver

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
)

// HeaderRequestID carries the request id, in both directions.
const HeaderRequestID = "X-Request-ID"

// Locals keys set by handlers for the access log and metrics.
const (
	requestIDKey = "herald.request_id"
	formatKey    = "herald.format"
)

// RequestObserver receives every answered request, for metrics. Route is
// the matched route pattern (bounded, unlike paths), format the feed
// format or "".
type RequestObserver interface {
	ObserveRequest(route, format string, status int, elapsed time.Duration)
}

// requestID returns the request's id: the client's X-Request-ID when it
// is sane (1 to 128 letters, digits and -_.:), else a fresh random one.
// Anything else a client sends is dropped rather than echoed, so an id can
// never smuggle a line break or a second header into the response.
func (s *Server) requestID(c *fiber.Ctx) string {
	if v, ok := c.Locals(requestIDKey).(string); ok {
		return v
	}
	id := c.Get(HeaderRequestID)
	if !saneRequestID(id) {
		var b [12]byte
		rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	} else {
		id = string([]byte(id)) // it outlives the request's buffers in logs
	}
	c.Locals(requestIDKey, id)
	c.Set(HeaderRequestID, id)
	return id
}

func saneRequestID(id string) bool {
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

// observe is the outermost middleware: it gives the request its id,
// turns a returned error into its response here (so the status is final
// when it is logged and counted), adds the security headers, and writes
// the access log line and the request metrics.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	id := s.requestID(c)
	if err := c.Next(); err != nil {
		if herr := s.errorHandler(c, err); herr != nil {
			return herr
		}
	}
	setSecurityHeaders(c)
	status := c.Response().StatusCode()
	elapsed := time.Since(start)
	format, _ := c.Locals(formatKey).(string)
	if s.cfg.Observer != nil {
		s.cfg.Observer.ObserveRequest(routeOf(c), format, status, elapsed)
	}
	// Check the level first: building the line's attributes costs more than
	// the rest of a cached 304, and at level warn nobody reads it.
	if s.cfg.AccessLog && s.log.Enabled(c.UserContext(), slog.LevelInfo) {
		s.log.LogAttrs(c.UserContext(), slog.LevelInfo, "request",
			slog.String("request_id", id),
			slog.String("method", c.Method()),
			slog.String("uri", c.OriginalURL()),
			slog.String("route", routeOf(c)),
			slog.Int("status", status),
			slog.Int("bytes", len(c.Response().Body())),
			slog.Duration("duration", elapsed),
			slog.String("client", s.client(c)),
			slog.Any("token", c.Locals(tokenKey)), // where the token was configured, never the token
		)
	}
	return nil
}

// routeOf is the matched route pattern; requests no route matched are
// reported as "unmatched", never by their path, to keep metrics bounded.
func routeOf(c *fiber.Ctx) string {
	r := c.Route()
	// A middleware mounted at "/" (the catch-all 404 among them) reports
	// the path "/" for any request it ended.
	if r == nil || r.Path == "/" && c.Path() != "/" {
		return "unmatched"
	}
	return r.Path
}
