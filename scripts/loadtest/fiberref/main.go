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
	"flag"
	"log"

	"github.com/gofiber/fiber/v2"

	"github.com/herald-feeds/herald/scripts/loadtest/ref"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	file := flag.String("file", "", "the feed's bytes")
	etag := flag.String("etag", "", "the identity ETag, quoted")
	flag.Parse()
	plain, gz, err := ref.Load(*file)
	if err != nil {
		log.Fatal(err)
	}
	serve := ref.Handler(plain, gz, *etag)
	app := fiber.New(fiber.Config{DisableStartupMessage: true, DisableDefaultContentType: true})
	app.Get("/feed.rss", func(c *fiber.Ctx) error {
		serve(c.Context())
		return nil
	})
	log.Fatal(app.Listen(*addr))
}
