package httpserver

import (
	"errors"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/herald-feeds/herald/internal/herald"
	"github.com/herald-feeds/herald/internal/logthrottle"
)

// statusOf is the one table from domain error codes to HTTP statuses.
var statusOf = map[herald.Code]int{
	herald.EBadRequest:       fiber.StatusBadRequest,
	herald.EInvalid:          fiber.StatusUnprocessableEntity,
	herald.ENotFound:         fiber.StatusNotFound,
	herald.EMethodNotAllowed: fiber.StatusMethodNotAllowed,
	herald.EPrecondition:     fiber.StatusPreconditionFailed,
	herald.EConflict:         fiber.StatusConflict,
	herald.ETooLarge:         fiber.StatusRequestEntityTooLarge,
	herald.EUnauthorized:     fiber.StatusUnauthorized,
	herald.EForbidden:        fiber.StatusForbidden,
	herald.EUnavailable:      fiber.StatusServiceUnavailable,
	herald.ERateLimited:      fiber.StatusTooManyRequests,
	herald.ENotImplemented:   fiber.StatusNotImplemented,
	herald.EHTTPVersion:      fiber.StatusHTTPVersionNotSupported,
	herald.EInternal:         fiber.StatusInternalServerError,
}

// codeOfStatus maps the statuses Fiber produces on its own (unknown route,
// wrong method, body over the limit) back into our vocabulary.
func codeOfStatus(status int) herald.Code {
	switch status {
	case fiber.StatusNotFound:
		return herald.ENotFound
	case fiber.StatusMethodNotAllowed:
		return herald.EMethodNotAllowed
	case fiber.StatusRequestEntityTooLarge:
		return herald.ETooLarge
	case fiber.StatusServiceUnavailable:
		return herald.EUnavailable
	case fiber.StatusTooManyRequests:
		return herald.ERateLimited
	}
	if status >= 400 && status < 500 {
		return herald.EBadRequest
	}
	return herald.EInternal
}

// errorBody is the JSON shape of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    herald.Code `json:"code"`
	Message string      `json:"message"`
	Field   string      `json:"field,omitempty"`
}

// errorHandler turns any error a handler returns into a JSON error
// response. Internal errors are logged with their cause and sent with a
// generic message only.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	var moved movedTo
	if errors.As(err, &moved) {
		c.Set(fiber.HeaderLocation, string(moved))
		setHeader(&c.Response().Header, hdrCacheControl, s.maxAge)
		setSecurityHeaders(c)
		c.Status(fiber.StatusMovedPermanently)
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.SendString("moved permanently to " + string(moved) + "\n")
	}
	var fe *fiber.Error
	var status int
	var body errorBody
	switch {
	case errors.As(err, &fe):
		status = fe.Code
		body.Error = errorDetail{Code: codeOfStatus(fe.Code), Message: fe.Message}
		switch fe.Code {
		case fiber.StatusBadRequest:
			// Only fasthttp raises this one (a request it could not parse),
			// and its text quotes the raw request, credentials and cookies
			// included: never echo it.
			body.Error.Message = "malformed HTTP request: the request line or headers could not be parsed"
		case fiber.StatusRequestEntityTooLarge:
			body.Error.Message = "request body is larger than the limit of " + itoa(s.cfg.MaxBodyBytes) + " bytes"
		case fiber.StatusRequestHeaderFieldsTooLarge:
			body.Error.Message = "request line and headers are larger than the limit of " + itoa(s.cfg.MaxHeaderBytes) + " bytes"
		case fiber.StatusRequestTimeout:
			body.Error.Message = "the request was not received in time"
		}
	default:
		code := herald.ErrorCode(err)
		status = statusOf[code]
		if status == 0 {
			status = fiber.StatusInternalServerError
		}
		body.Error = errorDetail{Code: code, Message: herald.ErrorMessage(err), Field: herald.ErrorField(err)}
	}
	// 501 and 505 are a client's unknown method or HTTP version.
	if status >= 500 && status != fiber.StatusNotImplemented && status != fiber.StatusHTTPVersionNotSupported {
		args := []any{"request_id", s.requestID(c), "method", c.Method(), "path", c.Path(), "status", status, "err", err}
		if status == fiber.StatusServiceUnavailable {
			// A dependency is down (or the server is stopping): every
			// request fails alike, so its lines are throttled. Any other
			// 5xx is a fault of its own, logged each time (a panic with
			// its stack).
			s.failLog(body.Error.Code).Log(s.log, slog.LevelError, s.now(), "request failed", args...)
		} else {
			s.log.Error("request failed", args...)
		}
	}
	if status == fiber.StatusServiceUnavailable && len(c.Response().Header.Peek(fiber.HeaderRetryAfter)) == 0 {
		c.Set(fiber.HeaderRetryAfter, "5")
	}
	if status == fiber.StatusUnauthorized && len(c.Response().Header.Peek(fiber.HeaderWWWAuthenticate)) == 0 {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="herald"`)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if err := c.Status(status).JSON(body); err != nil {
		return err
	}
	// Errors raised by fasthttp itself (431, 408, 413) skip the middleware:
	// give them the same headers here.
	setSecurityHeaders(c)
	return nil
}

// discardLogger is used when the caller passes no logger.
func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// logInterval is how often a kind of failure may be logged: a store or a
// cache that is down fails every request, and its log would otherwise
// grow by a line per request (README, Logs).
const logInterval = 10 * time.Second

// failLog is the throttle of the log lines of requests that failed with
// error code (each answered 503: a dependency down).
func (s *Server) failLog(code herald.Code) *logthrottle.Throttle {
	if t, ok := s.failLogs.Load(code); ok {
		return t.(*logthrottle.Throttle)
	}
	t, _ := s.failLogs.LoadOrStore(code, logthrottle.New(logInterval))
	return t.(*logthrottle.Throttle)
}
