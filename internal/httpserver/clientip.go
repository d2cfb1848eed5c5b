package httpserver

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// clientKey is the Locals key of the request's client address.
const clientKey = "herald.client"

// client returns the address that identifies the request's client for
// rate limits and logs (clientAddr), written out, computed once per
// request.
func (s *Server) client(c *fiber.Ctx) string {
	if v, ok := c.Locals(clientKey).(string); ok {
		return v
	}
	id := s.clientAddr(c).String()
	c.Locals(clientKey, id)
	return id
}

// clientAddr is the address that identifies the request's client. The
// rate limits read it on every feed poll: it is found without making a
// string, and allocates nothing unless a hop names a zone.
//
// It is the TCP peer, unless the peer is one of the trusted proxies and a
// proxy header is configured: then the header is read from the right,
// skipping further trusted proxies, and the first address that is not one
// of them is the client. Reading from the right matters: everything left
// of the last trusted hop was written by the client and can be forged.
// A malformed hop ends what can be believed: the client is then the hop
// right of it, or the peer when it is the last.
//
// The hops are those of every line of the header, in order: a proxy that
// appends a line of its own (HAProxy's forwardfor) puts the only hop it
// vouches for last, after whatever lines the client sent. They are read
// in the order the request holds them, left to right, keeping what the
// read from the right would find among the hops seen so far; a hop added
// on the right changes it thus: a malformed hop leaves nothing found (the
// read would stop at it, at once); an untrusted one is the client; a
// trusted one is the client only when nothing was found left of it (no
// hop, or a malformed one right before it), else the client stays.
func (s *Server) clientAddr(c *fiber.Ctx) netip.Addr {
	addr, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	addr = addr.Unmap()
	if s.cfg.ProxyHeader == "" || !s.trusted(addr) {
		return addr
	}
	var (
		found netip.Addr
		ok    bool // found is what reading the hops so far from the right finds
	)
	c.Request().Header.VisitAll(func(k, v []byte) {
		if !strings.EqualFold(b2s(k), s.cfg.ProxyHeader) {
			return
		}
		for rest, more := b2s(v), true; more; {
			var part string
			part, rest, more = strings.Cut(rest, ",")
			hop, err := netip.ParseAddr(strings.TrimSpace(part))
			if err != nil {
				ok = false
				continue
			}
			if hop = hop.Unmap(); !ok || !s.trusted(hop) {
				found, ok = hop, true
			}
		}
	})
	if ok {
		return found
	}
	return addr
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
