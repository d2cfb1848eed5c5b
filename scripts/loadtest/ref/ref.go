// Package ref is the handler the load test's floors share: the feed's
// bytes and ETag from memory, with three headers and nothing else. The
// bare Fiber floor (fiberref) routes to it, the bare fasthttp floor
// (fasthttpref) calls it directly, so the two differ only by Fiber.
package ref

import (
	"bytes"
	"flag"
	"log"
	"os"

	"github.com/valyala/fasthttp"
)

// FromFlags parses the floors' command line (-addr, -file, -etag) and
// returns the address to listen on and the handler of that feed; it ends
// the process when the file cannot be read.
func FromFlags() (addr string, serve fasthttp.RequestHandler) {
	a := flag.String("addr", "127.0.0.1:0", "listen address")
	file := flag.String("file", "", "the feed's bytes")
	etag := flag.String("etag", "", "the identity ETag, quoted")
	flag.Parse()
	plain, gz, err := Load(*file)
	if err != nil {
		log.Fatal(err)
	}
	return *a, Handler(plain, gz, *etag)
}

// Load reads the feed file and its .gz beside it.
func Load(file string) (plain, gz []byte, err error) {
	if plain, err = os.ReadFile(file); err != nil {
		return nil, nil, err
	}
	gz, err = os.ReadFile(file + ".gz")
	return plain, gz, err
}

// Handler answers with plain, or gz to a client that accepts gzip, under
// etag (quoted) or its -gzip variant, and 304 to a request naming either.
func Handler(plain, gz []byte, etag string) fasthttp.RequestHandler {
	tag := []byte(etag)
	gzTag := append(append(bytes.TrimSuffix(bytes.Clone(tag), []byte(`"`)), "-gzip"...), '"')
	return func(c *fasthttp.RequestCtx) {
		h := &c.Response.Header
		useGzip := bytes.Contains(c.Request.Header.Peek("Accept-Encoding"), []byte("gzip"))
		t := tag
		if useGzip {
			t = gzTag
		}
		h.SetCanonical([]byte("Etag"), t)
		h.SetCanonical([]byte("Vary"), []byte("Accept-Encoding"))
		h.SetCanonical([]byte("Cache-Control"), []byte("public, max-age=300"))
		if inm := c.Request.Header.Peek("If-None-Match"); bytes.Equal(inm, tag) || bytes.Equal(inm, gzTag) {
			c.SetStatusCode(fasthttp.StatusNotModified)
			return
		}
		h.SetContentType("application/rss+xml; charset=utf-8")
		if useGzip {
			h.SetCanonical([]byte("Content-Encoding"), []byte("gzip"))
			c.Response.SetBodyRaw(gz)
			return
		}
		c.Response.SetBodyRaw(plain)
	}
}
