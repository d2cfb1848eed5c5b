package httpserver

import (
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
)

// healthz says the process is alive; it touches no dependency.
func (s *Server) healthz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz says whether this replica can serve: the store must answer. The
// cache is reported but does not decide, since feeds are served without it.
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	status, code := "ok", fiber.StatusOK
	storeState, cacheState := "ok", "ok"
	if err := s.store.Ping(ctx); err != nil {
		status, code, storeState = "unavailable", fiber.StatusServiceUnavailable, "unreachable"
		s.readyLog.Log(s.log, slog.LevelWarn, s.now(), "readiness: store unreachable", "err", err)
	}
	if err := s.cache.Ping(ctx); err != nil {
		cacheState = "unreachable (feeds are rendered from the store)"
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	st := s.feeds.Stats()
	return c.Status(code).JSON(fiber.Map{
		"status": status,
		"store":  storeState,
		"cache":  fiber.Map{"kind": s.cache.Name(), "state": cacheState},
		// What the read path did since start: the load test reads renders
		// to prove a burst of misses renders once.
		"feeds": fiber.Map{"renders": st.Renders.Load(), "compressions": st.Compressions.Load(),
			"hits": st.Hits.Load(), "misses": st.Misses.Load(), "not_modified": st.NotModified.Load()},
	})
}
