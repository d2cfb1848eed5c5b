// Command fiberref is the load test's framework floor: a bare Fiber handler
// answering from memory with the same bytes and ETag as Herald and nothing
// else (no routing table, metrics, logging, CORS or security headers). It
// shows what Fiber itself reaches on the machine, so that Herald's distance
// from nginx splits into what the framework costs and what Herald adds.
//
// Usage: fiberref -addr 127.0.0.1:PORT -file FEED_FILE -etag ETAG
// (FEED_FILE.gz beside it).
package main

import (
	"log"

	"github.com/gofiber/fiber/v2"

	"github.com/herald-feeds/herald/scripts/loadtest/ref"
)

func main() {
	addr, serve := ref.FromFlags()
	app := fiber.New(fiber.Config{DisableStartupMessage: true, DisableDefaultContentType: true})
	app.Get("/feed.rss", func(c *fiber.Ctx) error {
		serve(c.Context())
		return nil
	})
	log.Fatal(app.Listen(addr))
}
