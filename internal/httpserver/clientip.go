package httpserver

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// clientKey is the Locals key of the request's client address.
const clientKey = "herald.client"

// client returns the address that identifies the request's client for
// rate limits and logs, computed once per request.
//
// It is the TCP peer, unless the peer is one of the trusted proxies and a
// proxy header is configured: then the header is read from the right,
// skipping further trusted proxies, and the first address that is not one
// of them is the client. Reading from the right matters: everything left
// of the last trusted hop was written by the client and can be forged.
func (s *Server) client(c *fiber.Ctx) string {
	if v, ok := c.Locals(clientKey).(string); ok {
		return v
	}
	addr, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	addr = addr.Unmap()
	if s.cfg.ProxyHeader != "" && s.trusted(addr) {
		// Every line of the header, joined: a proxy that appends a line of
		// its own (HAProxy's forwardfor) puts the only hop it vouches for
		// last, after whatever lines the client sent.
		hops := strings.Split(headerList(c, s.cfg.ProxyHeader), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break // a malformed hop ends what can be believed
			}
			addr = hop.Unmap()
			if !s.trusted(addr) {
				break
			}
		}
	}
	id := addr.String()
	c.Locals(clientKey, id)
	return id
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
