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
	"bytes"
	"flag"
	"log"
	"os"

	"github.com/gofiber/fiber/v2"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	file := flag.String("file", "", "the feed's bytes")
	etag := flag.String("etag", "", "the identity ETag, quoted")
	flag.Parse()
	plain, err := os.ReadFile(*file)
	if err != nil {
		log.Fatal(err)
	}
	gz, err := os.ReadFile(*file + ".gz")
	if err != nil {
		log.Fatal(err)
	}
	tag := []byte(*etag)
	gzTag := append(append(bytes.TrimSuffix(bytes.Clone(tag), []byte(`"`)), "-gzip"...), '"')

	app := fiber.New(fiber.Config{DisableStartupMessage: true, DisableDefaultContentType: true})
	app.Get("/feed.rss", func(c *fiber.Ctx) error {
		h := &c.Response().Header
		useGzip := bytes.Contains(c.Request().Header.Peek("Accept-Encoding"), []byte("gzip"))
		t := tag
		if useGzip {
			t = gzTag
		}
		h.SetCanonical([]byte("Etag"), t)
		h.SetCanonical([]byte("Vary"), []byte("Accept-Encoding"))
		h.SetCanonical([]byte("Cache-Control"), []byte("public, max-age=300"))
		if inm := c.Request().Header.Peek("If-None-Match"); bytes.Equal(inm, tag) || bytes.Equal(inm, gzTag) {
			c.Status(fiber.StatusNotModified)
			return nil
		}
		h.SetContentType("application/rss+xml; charset=utf-8")
		if useGzip {
			h.SetCanonical([]byte("Content-Encoding"), []byte("gzip"))
			c.Response().SetBodyRaw(gz)
			return nil
		}
		c.Response().SetBodyRaw(plain)
		return nil
	})
	log.Fatal(app.Listen(*addr))
}
