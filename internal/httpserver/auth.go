package httpserver

import (
	"crypto/sha256"
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

// tokenDigest is the SHA-256 digest of a token. Tokens are compared by
// their digests, which are all of one length: subtle.ConstantTimeCompare
// returns at once when lengths differ, so comparing the tokens themselves
// would tell a client how long they are.
type tokenDigest [sha256.Size]byte

// tokenDigests are the digests of tokens, in their order, made once as
// the server is built: a check then hashes only the token presented,
// whose length its sender knows, and no configured one, whose hashing
// would take longer the longer it is.
func tokenDigests(tokens []Token) []tokenDigest {
	d := make([]tokenDigest, len(tokens))
	for i, t := range tokens {
		d[i] = sha256.Sum256([]byte(t.Secret))
	}
	return d
}

// matchToken compares the digest of got with that of every configured
// token in constant time, without stopping at a match, and picks the
// match without a branch, so neither the timing nor the order of the
// tokens reveals anything about them, their lengths included.
func (s *Server) matchToken(got string) (Token, bool) {
	sum := sha256.Sum256([]byte(got))
	found, ok := 0, 0
	for i, d := range s.tokenSums {
		match := subtle.ConstantTimeCompare(sum[:], d[:])
		found = subtle.ConstantTimeSelect(match, i, found)
		ok |= match
	}
	if ok == 0 {
		return Token{}, false
	}
	return s.tokens[found], true
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
