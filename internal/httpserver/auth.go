package httpserver

import (
	"crypto/subtle"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/herald-feeds/herald/internal/herald"
)

// requireToken guards the admin API with the configured bearer token,
// compared in constant time so response timing reveals nothing about it.
// With no token configured the API is off: every call says so, while
// feeds keep working.
func (s *Server) requireToken(c *fiber.Ctx) error {
	if s.cfg.APIToken == "" {
		return herald.Errorf(herald.EForbidden, "the admin API is disabled: set HERALD_API_TOKEN (config key api.token) to enable it")
	}
	auth := c.Get(fiber.HeaderAuthorization)
	scheme, token, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return herald.Errorf(herald.EUnauthorized, "missing bearer token: send \"Authorization: Bearer <token>\"")
	}
	if subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.cfg.APIToken)) != 1 {
		return herald.Errorf(herald.EUnauthorized, "invalid bearer token")
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}
