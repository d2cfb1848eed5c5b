package httpserver

import (
	"crypto/subtle"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/herald-feeds/herald/internal/herald"
)

// Token is one bearer token of the write API.
type Token struct {
	Secret   string
	ReadOnly bool   // may only GET (and HEAD) the write API
	Source   string // where it was configured, logged instead of the token
}

// tokenKey is the Locals key of the source of the token a request used.
const tokenKey = "herald.token"

// matchToken compares got with every configured token in constant time,
// without stopping at a match, so neither the timing nor the order of the
// tokens reveals anything about them.
func (s *Server) matchToken(got string) (Token, bool) {
	var found Token
	ok := 0
	for _, t := range s.tokens {
		if subtle.ConstantTimeCompare([]byte(got), []byte(t.Secret)) == 1 {
			found, ok = t, 1
		}
	}
	return found, ok == 1
}

// requireToken guards the write API with the configured bearer tokens. A
// read-only token may list and read articles but not change them. With no
// token configured the API is off: every call says so, while feeds keep
// working.
func (s *Server) requireToken(c *fiber.Ctx) error {
	if len(s.tokens) == 0 {
		return herald.Errorf(herald.EForbidden, "the admin API is disabled: set HERALD_API_TOKEN, api.tokens or api.tokens_file to enable it")
	}
	auth := c.Get(fiber.HeaderAuthorization)
	scheme, token, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return herald.Errorf(herald.EUnauthorized, "missing bearer token: send \"Authorization: Bearer <token>\"")
	}
	t, ok := s.matchToken(strings.TrimSpace(token))
	if !ok {
		// RFC 6750, 3.1: a token was sent and is not one of ours.
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="herald", error="invalid_token"`)
		return herald.Errorf(herald.EUnauthorized, "invalid bearer token")
	}
	c.Locals(tokenKey, t.Source)
	c.Set(fiber.HeaderCacheControl, "no-store")
	if t.ReadOnly && c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		return herald.Errorf(herald.EForbidden, "this token is read-only: it may only read articles")
	}
	return c.Next()
}
